/**
 * Progress: one listr2 task per step on a terminal; plain lines without
 * glyphs otherwise (pipes, CI, --debug): the step's title when it starts,
 * its final title and the time it took when it ends; nothing with --quiet.
 * Only cli/ imports listr2.
 */
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import { write, type CliContext } from './context.ts';

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
  const tasks: ListrTask<C>[] = steps.map((s) => ({
    title: s.title,
    task: async (c, task) => s.run(c, (t) => { task.title = t; }),
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
  return list.run();
}

/** Run steps printing one line as each starts and one as it ends (nothing when quiet). */
async function runPlain<C extends object>(steps: Step<C>[], ctx: C, cli: CliContext, quiet: boolean): Promise<C> {
  for (const s of steps) {
    let title = s.title;
    if (!quiet) await write(cli.stderr, `${title} ...\n`);
    const started = performance.now();
    try {
      await s.run(ctx, (t) => { title = t; });
    } catch (err) {
      if (!quiet) await write(cli.stderr, `${title}: failed\n`);
      throw err;
    }
    if (!quiet) await write(cli.stderr, `${title}: done (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  }
  return ctx;
}
