/** The console's templates escape by default; terminal text loses its escape sequences and control characters. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, html, terminalText } from '../../../src/web/console/html.ts';

test('html escapes every interpolated value unless it is a fragment made by html', () => {
  const name = `<script>alert("1")</script>&'\``;
  assert.equal(html`<td title="${name}">${name}</td>`.value, '<td title="&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;&amp;&#39;&#96;">&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;&amp;&#39;&#96;</td>');
  assert.equal(html`<ul>${['<a>', html`<li>${'<b>'}</li>`]}</ul>`.value, '<ul>&lt;a&gt;<li>&lt;b&gt;</li></ul>');
  assert.equal(html`${null}${undefined}${false}${0}`.value, '0');
  assert.equal(escapeHtml('a&b'), 'a&amp;b');
});

test('terminalText removes CSI and OSC sequences and shows other control characters as U+FFFD', () => {
  assert.equal(terminalText('\u001b[1;31mred\u001b[0m \u001b]0;title\u0007ok\tA\nB\u0008\u009b'), 'red ok\tA\nB\ufffd\ufffd');
});
