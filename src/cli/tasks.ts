/**
 * Progress: one listr2 task per step on a terminal; plain lines without
 * glyphs otherwise (pipes, CI, --debug): the step's title when it starts,
 * its final title and the time it took when it ends; nothing with --quiet.
 * Only cli/ imports listr2.
 */
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import { write, type CliContext } from './context.ts';
import { escapeText } from './escape.ts';

export interface ProgressOptions {
  quiet?: boolean;
  debug?: boolean;
}

/** A step: title and work; `update` changes the visible title. */
export interface Step<C> {
  title: string;
  run: (ctx: C, update: (title: string) => void) => Promise<void>;
}

/** Run steps in order with the renderer the context calls for. */
export async function runSteps<C extends object>(steps: Step<C>[], ctx: C, cli: CliContext, options: ProgressOptions): Promise<C> {
  const live = cli.isTTY && !options.debug && cli.env.CI !== 'true';
  if (!live || options.quiet) return runPlain(steps, ctx, cli, options.quiet === true);
  const output = new ProcessOutput(cli.stderr as NodeJS.WriteStream, cli.stderr as NodeJS.WriteStream);
  // Titles and listr2's "[FAILED: message]" quote kernels, modules and entry names from images and
  // packages: listr2 sees escaped copies, the caller gets the original error.
  let failure: unknown;
  const tasks: ListrTask<C>[] = steps.map((s) => ({
    title: escapeText(s.title),
    task: async (c, task) => {
      try {
        await s.run(c, (t) => { task.title = escapeText(t); });
      } catch (err) {
        failure = err;
        throw new Error(escapeText(err instanceof Error ? err.message : String(err)));
      }
    },
  }));
  const list = new Listr<C>(tasks, {
    ctx,
    exitOnError: true,
    rendererOptions: { logger: new ListrLogger({ processOutput: output }) },
    renderer: 'default',
    fallbackRenderer: 'simple',
    fallbackRendererOptions: { logger: new ListrLogger({ processOutput: output }) },
    collectErrors: false,
  } as never);
  try {
    return await list.run();
  } catch (err) {
    throw failure ?? err;
  }
}

/** Run steps printing one line as each starts and one as it ends (nothing when quiet); titles escaped as above. */
async function runPlain<C extends object>(steps: Step<C>[], ctx: C, cli: CliContext, quiet: boolean): Promise<C> {
  for (const s of steps) {
    let title = escapeText(s.title);
    if (!quiet) await write(cli.stderr, `${title} ...\n`);
    const started = performance.now();
    try {
      await s.run(ctx, (t) => { title = escapeText(t); });
    } catch (err) {
      if (!quiet) await write(cli.stderr, `${title}: failed\n`);
      throw err;
    }
    if (!quiet) await write(cli.stderr, `${title}: done (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  }
  return ctx;
}
