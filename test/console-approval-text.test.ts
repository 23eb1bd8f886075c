/**
 * The console's words for four eyes (console/src/approval-text.ts, history-text.ts): what a
 * change request would change, and a request's step in the history timeline.
 */
import { describe, expect, it } from 'vitest';
import { changeText, type ChangeRequest } from '../console/src/approval-text.ts';
import { eventText } from '../console/src/history-text.ts';

const request = (over: Partial<ChangeRequest>): ChangeRequest =>
  ({
    alias: 'champion',
    from: 'v1',
    to: 'v2',
    force: false,
    preview: { differences: [], policy: null },
    ...over,
  }) as ChangeRequest;

describe("the console's words for change requests", () => {
  it('says the move, whether the contract differs and the policy verdict, as the request preview holds them', () => {
    expect(changeText(request({}))).toBe('champion: v1 -> v2; same contract; no promotion policy gate');
    expect(changeText(request({ from: null, preview: { differences: [], policy: { revision: 3, failed: [] } } }))).toBe(
      'champion: (none) -> v2; same contract; passes policy revision 3',
    );
    const failing = request({
      force: true,
      preview: {
        differences: [{ field: 'classes', message: 'differ' }],
        policy: {
          revision: 4,
          failed: [
            { field: 'minAuc', message: 'low' },
            { field: 'minKs', message: 'low' },
          ],
        },
      },
    });
    expect(changeText(failing)).toBe(
      'champion: v1 -> v2; contract differs (classes); fails policy revision 4 (minAuc, minKs); forced by the requester',
    );
  });

  it('names a change request step in the history by its request, action and move', () => {
    const step = {
      kind: 'approval' as const,
      eventId: 'e1',
      at: '2026-12-07T12:00:00Z',
      requestId: 'r1',
      action: 'approved',
      alias: 'champion',
      from: 'v1',
      to: 'v2',
    };
    expect(eventText(step, (a) => a)).toBe('change request r1 approved: champion v1 -> v2');
    expect(eventText({ ...step, action: 'requested', from: null }, (a) => a)).toBe(
      'change request r1 requested: champion (none) -> v2',
    );
  });
});
