import type { FetchContext, FetchPage } from '@tributary/core/connector';
import { createError } from '@tributary/core/errors';
import { COMPONENT } from './errors.js';
import { getJson } from './http.js';
import { readLatestPostsPage } from './page.js';
import { postItem } from './payload.js';
import type { DiscourseCheckpoint, DiscourseConfig, DiscourseCredentials } from './schemas.js';

/** Path of one `/posts.json` page; `before` returns posts with ids up to and including it. */
export function latestPostsPath(before: number | undefined): string {
  return before === undefined ? '/posts.json' : `/posts.json?before=${before}`;
}

/**
 * Walks `/posts.json` from the newest post backwards (`before=<lowest id - 1>`) until a page is empty
 * or reaches the ids a previous walk already covered. Until the walk completes, checkpoints keep the
 * old watermark plus the walk's position, so a run that stops part-way resumes where it stopped; the
 * watermark becomes the walk's highest id only on its last page.
 */
export async function* fetchLatestPosts(
  ctx: FetchContext<DiscourseConfig, DiscourseCredentials, DiscourseCheckpoint>,
): AsyncGenerator<FetchPage<DiscourseCheckpoint>> {
  const previous = ctx.checkpoint?.mode === 'latest-posts' ? ctx.checkpoint : null;
  const floor = previous?.highestPostId ?? null;
  let before = previous?.pending?.before;
  let walkHighest = previous?.pending?.highestPostId ?? null;
  const request = { ...ctx, now: () => ctx.clock.now() };

  for (let requested = 0; requested < ctx.config.maxPages; requested++) {
    const site = { operation: 'latest-posts', path: latestPostsPath(before) };
    const posts = readLatestPostsPage(await getJson(request, site), site);
    const fresh = floor === null ? posts : posts.filter((post) => post.id > floor);
    for (const post of fresh) walkHighest = walkHighest === null ? post.id : Math.max(walkHighest, post.id);
    const items = fresh.map((post) => postItem(post));

    const lowest = posts.reduce((min, post) => Math.min(min, post.id), Number.POSITIVE_INFINITY);
    // Done once the next page could only hold ids already covered: below the floor, or below 1
    // (ids start at 1, and `before=0` would be ignored, answering the newest page again).
    const last = posts.length === 0 || fresh.length < posts.length || lowest - 1 <= (floor ?? 0);
    if (last) {
      const highest = walkHighest === null ? floor : Math.max(walkHighest, floor ?? walkHighest);
      yield { items, checkpoint: { mode: 'latest-posts', highestPostId: highest } };
      return;
    }
    if (before !== undefined && lowest > before) {
      // The forum ignored `before`: stop rather than walk the same page forever.
      throw createError(COMPONENT, 'connector', `latest-posts failed: ${site.path} answered posts newer than requested (lowest id ${lowest})`, {
        context: { connector: COMPONENT, operation: 'latest-posts', path: site.path },
      });
    }
    before = lowest - 1;
    yield { items, checkpoint: { mode: 'latest-posts', highestPostId: floor, pending: { before, highestPostId: walkHighest! } } };
  }
}
