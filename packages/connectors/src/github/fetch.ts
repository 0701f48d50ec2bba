import type { FetchContext, FetchPage } from '@tributary/core/connector';
import { githubFetch } from './http.js';
import type { GithubCheckpoint, GithubConfig, GithubCredentials } from './schemas.js';
import { STREAMS } from './streams.js';
import { walkStream } from './walk.js';

/**
 * Pulls each configured stream in turn (issues, then comments), one page at a time. Every page's
 * checkpoint carries all streams: the one being walked at its new position, the others as they were,
 * so a run that stops anywhere loses nothing.
 */
export async function* fetchGithub(ctx: FetchContext<GithubConfig, GithubCredentials, GithubCheckpoint>): AsyncGenerator<FetchPage<GithubCheckpoint>> {
  let checkpoint: GithubCheckpoint = { ...ctx.checkpoint };
  for (const name of ctx.config.include) {
    const fetch = githubFetch({ ...ctx, now: () => ctx.clock.now() }, name);
    for await (const step of walkStream({ config: ctx.config, fetch, signal: ctx.signal }, STREAMS[name], checkpoint[name])) {
      checkpoint = { ...checkpoint, [name]: step.state };
      yield { items: step.items, checkpoint };
    }
  }
}
