/**
 * The words that recur in a room's low reviews, for facility managers: simple counts over the
 * comments, each word counted once per review (one angry review repeating "cold" five times is
 * one voice), with English stop words and very short words left out.
 */

const STOP_WORDS = new Set(
  `a about above after again against all also am an and any are aren as at be because been before being below between both but by
  can cannot could did didn do does doesn doing don down during each even ever few for from further get got had hadn has hasn have
  haven having he her here hers herself him himself his how however i if in into is isn it its itself just let like me more most
  much must my myself no nor not now of off on once only or other ought our ours ourselves out over own quite rather really same
  she should shouldn so some such than that the their theirs them themselves then there these they this those through to too under
  until up us very was wasn we were weren what when where which while who whom why will with won would wouldn you your yours
  yourself yourselves room rooms meeting one two bit lot still there's it's didn't wasn't don't`.split(/\s+/),
);

export function words(comment: string): string[] {
  return (comment.toLocaleLowerCase('en').match(/[\p{L}][\p{L}'-]*/gu) ?? [])
    .map((w) => w.replace(/['-]+$/u, ''))
    .filter((w) => w.length >= 3 && !STOP_WORDS.has(w));
}

/** Words found in at least `minReviews` comments, most frequent first (ties alphabetical). */
export function recurringWords(
  comments: readonly string[],
  opts: { minReviews?: number; limit?: number } = {},
): { word: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const comment of comments) {
    for (const word of new Set(words(comment))) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts.entries()]
    .filter(([, count]) => count >= (opts.minReviews ?? 2))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, opts.limit ?? 10)
    .map(([word, count]) => ({ word, count }));
}
