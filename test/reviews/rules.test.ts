import { wilsonLowerBound } from '../../src/reviews/helpfulness';
import { recurringWords } from '../../src/reviews/recurring-words';
import { screenReview } from '../../src/reviews/screening';
import { reviewWindowOf } from '../../src/reviews/review-service';

describe('review rules (pure)', () => {
  test('when a comment is ordinary, then screening raises no flag, even with capitals, numbers and a banned word inside another word', () => {
    expect(screenReview('Great room! The 4K screen and HDMI worked; glass walls.', ['ass'])).toEqual([]);
    expect(screenReview('OK', [])).toEqual([]);
  });

  test('when a comment has links, banned phrases, long runs or shouting, then each is flagged', () => {
    expect(screenReview('visit http://x.test', [])).toEqual(['link']);
    expect(screenReview('buy at cheap-pills.shop today', [])).toEqual(['link']);
    expect(screenReview('Free-Money, now', ['free money'])).toEqual(['banned_term']);
    expect(screenReview('noooooooo', [])).toEqual(['repeated_characters']);
    expect(screenReview('THIS ROOM IS TERRIBLE', [])).toEqual(['all_capitals']);
  });

  test('when votes differ in number and share, then the Wilson bound prefers the better-supported share', () => {
    expect(wilsonLowerBound(0, 0)).toBe(0);
    expect(wilsonLowerBound(40, 10)).toBeGreaterThan(wilsonLowerBound(4, 0));
    expect(wilsonLowerBound(3, 0)).toBeGreaterThan(wilsonLowerBound(1, 3));
    expect(wilsonLowerBound(10, 0)).toBeLessThan(1);
  });

  test('when low comments repeat words, then stop words are dropped and each review counts a word once', () => {
    expect(recurringWords(['It is cold cold cold', 'so cold and dark', 'dark and the the'])).toEqual([
      { word: 'cold', count: 2 },
      { word: 'dark', count: 2 },
    ]);
  });

  test('when the room delays the prompt, then the window runs from the end to prompt plus the review window', () => {
    const window = reviewWindowOf({
      endedAt: '2026-12-01T10:00:00.000Z',
      policy: { reviewPromptDelaySeconds: 600, reviewWindowSeconds: 3600 },
    });
    expect(window).toEqual({ opensAt: '2026-12-01T10:00:00.000Z', closesAt: '2026-12-01T11:10:00.000Z' });
  });
});
