/**
 * Progress: one listr2 task per step. Live renderer on a TTY, plain lines
 * otherwise (pipes, CI, --debug), nothing with --quiet. Only cli/ imports listr2.
 */
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { CliContext } from './context.ts';
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
    renderer: options.quiet ? 'silent' : live ? 'default' : 'simple',
    fallbackRenderer: options.quiet ? 'silent' : 'simple',
    fallbackRendererOptions: { logger: new ListrLogger({ processOutput: output }) },
    collectErrors: false,
  } as never);
  try {
    return await list.run();
  } catch (err) {
    throw failure ?? err;
  }
}
