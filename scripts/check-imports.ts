/**
 * Import-boundary check (STYLE.md §1.3), run by `npm run lint`:
 * errors.ts and io/ import nothing else from src/; format folders do not
 * import each other (initrd may compose compress + cpio); bootcfg/kickstart
 * stay text-only; only fsx/ and io/ import node:fs; recipe/pxe never import
 * cli/, commander, listr2 or console; cli/ imports the library only through
 * src/index.ts (or its subsets src/engine.ts and src/core.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Top-level area of a src file: 'errors', 'index', 'io', 'cpio', ... */
function area(file: string): string {
  const rel = relative(SRC, file).split('/');
  return rel.length === 1 ? (rel[0] as string).replace(/\.ts$/, '') : (rel[0] as string);
}

const ALLOWED: Record<string, string[]> = {
  errors: [],
  io: ['errors'],
  compress: ['errors', 'io'],
  cpio: ['errors', 'io'],
  tree: ['errors'],
  iso: ['errors', 'io', 'tree'],
  initrd: ['errors', 'io', 'cpio', 'compress', 'tree'],
  fsx: ['errors', 'io', 'tree', 'cpio', 'initrd', 'elf', 'package', 'kmod'],
  bootcfg: ['errors'],
  kickstart: ['errors'],
  preseed: ['errors', 'kickstart'],
  autoinstall: ['errors', 'kickstart', 'preseed'],
  answers: ['errors', 'kickstart', 'preseed', 'autoinstall'],
  install: ['errors', 'kickstart'],
  pxe: ['errors', 'io', 'bootcfg', 'kickstart', 'answers', 'fsx', 'tree'],
  recipe: ['errors', 'io', 'tree', 'cpio', 'compress', 'initrd', 'iso', 'fsx', 'bootcfg', 'kickstart', 'preseed', 'autoinstall', 'answers', 'install', 'pxe', 'kmod', 'elf', 'package'],
  kmod: ['errors', 'io', 'compress', 'tree'],
  boottest: ['errors', 'io', 'tree', 'cpio', 'compress', 'initrd', 'iso', 'fsx', 'bootcfg', 'pxe'],
  elf: ['errors', 'io'],
  package: ['errors', 'io', 'compress', 'cpio', 'initrd', 'tree'],
  net: ['errors', 'io'],
  state: ['errors', 'fsx'],
  web: ['errors', 'fsx', 'state'],
  serve: ['errors', 'fsx', 'net', 'state', 'pxe', 'kickstart', 'preseed', 'answers', 'install', 'web'],
  index: ['*'],
  core: ['errors', 'io', 'compress', 'cpio', 'initrd', 'tree'],
  engine: ['*'],
  cli: ['index', 'engine', 'core'],
};
const FS_OK = new Set(['io', 'fsx']);
const NO_CLI_DEPS = new Set(['serve', 'web', 'preseed', 'autoinstall', 'answers', 'install', 'net', 'state', 'kmod', 'elf', 'package', 'boottest', 'recipe', 'pxe', 'initrd', 'cpio', 'compress', 'iso', 'io', 'tree', 'fsx', 'errors', 'bootcfg', 'kickstart']);

const problems: string[] = [];
for (const file of files(SRC)) {
  const from = area(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = (m[1] ?? m[2]) as string;
    const where = relative(resolve(SRC, '..'), file);
    if (spec.startsWith('.')) {
      const to = area(resolve(dirname(file), spec));
      if (to === from) continue;
      const allowed = ALLOWED[from] ?? [];
      if (!allowed.includes('*') && !allowed.includes(to)) problems.push(`${where}: ${from}/ must not import ${to} (${spec})`);
    } else {
      if ((spec === 'node:fs' || spec === 'node:fs/promises' || spec === 'fs') && !FS_OK.has(from)) problems.push(`${where}: only fsx/ and io/ may import ${spec}`);
      if ((spec === 'commander' || spec === 'listr2') && NO_CLI_DEPS.has(from)) problems.push(`${where}: the library must not import ${spec}`);
    }
  }
  if (NO_CLI_DEPS.has(from) && /\bconsole\.(log|error|warn|info)\(/.test(text)) problems.push(`${relative(resolve(SRC, '..'), file)}: the library never prints`);
}
if (problems.length > 0) {
  process.stderr.write(`import boundaries violated (STYLE.md §1.3):\n${problems.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`import boundaries: ${files(SRC).length} files checked, OK\n`);
