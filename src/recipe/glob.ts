/** Shell-style globs for image paths: `*` and `?` stay inside one component, `**` spans any depth. */

/** Return true when the pattern has glob characters. */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** Compile a glob over normalised image paths ("a/b/c", no leading slash). */
export function globToRegExp(pattern: string): RegExp {
  const p = pattern.replace(/^\/+/, '').replace(/^\.\//, '');
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*' && p[i + 1] === '*') {
      const slash = p[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
