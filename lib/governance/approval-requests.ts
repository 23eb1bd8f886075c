/**
 * Where change requests live (models/{model}/approvals/, lib/state/layout.ts) and the only way
 * they change: a compare-and-swap on the request's document, so two approvers at once cannot
 * both count as the last one. Each change appends its step to the request's `events` and then
 * records that step in the history (GET /model/history, kind "approval"); a step whose record was
 * not written (its writer stopped short) is written by the request's next change. Requests are
 * listed newest first a page at a time: their keys are their ids inverted, as the timeline's are.
 */
import { EventTimeline } from '../registry/event-timeline.ts';
import type { Page, PageRequest } from '../registry/pagination.ts';
import type { Change, DocumentStore } from '../state/document-store.ts';
import { keys, parseTimelineKey } from '../state/layout.ts';
import { notFoundError } from '../util/domain-error.ts';
import { isTimeOrderedId, leastTimeOrderedIdFrom } from '../util/ids.ts';
import { mapLimit } from '../util/map-limit.ts';
import { approvalRequestSchema, type ApprovalRequest } from './approval-request.ts';

/** S3 lists at most 1,000 keys a call. */
const MAX_KEYS_PER_LIST = 1000;
const READS_IN_FLIGHT = 16;

export class ApprovalRequests {
  private readonly timeline: EventTimeline;

  constructor(private readonly docs: DocumentStore) {
    this.timeline = new EventTimeline(docs);
  }

  /** One request, or null (an id that is not a request id names none). */
  async get(name: string, id: string): Promise<ApprovalRequest | null> {
    if (!isTimeOrderedId(id)) return null;
    return this.docs.value(keys.approval(name, id), approvalRequestSchema);
  }

  /** Stores a new request (its id is new: time-ordered and random) and records its filing. */
  async file(request: ApprovalRequest): Promise<ApprovalRequest> {
    if (!(await this.docs.create(keys.approval(request.model, request.id), approvalRequestSchema, request)))
      throw new Error(`change request ${request.id} exists already`);
    await this.recordLatest(request);
    return request;
  }

  /**
   * Changes a request by compare-and-swap: `decide` sees it as stored now (it may run again
   * when another writer won) and answers what it becomes, or to keep it. 404 for no such request.
   */
  async change<R>(
    name: string,
    id: string,
    decide: (current: ApprovalRequest) => Change<ApprovalRequest, R>,
  ): Promise<R> {
    if (!isTimeOrderedId(id)) throw notFoundError(`no change request ${id.slice(0, 80)}`);
    // What the attempt that won wrote (an attempt that lost to another writer is decided again).
    const last: { written: ApprovalRequest | null } = { written: null };
    const result = await this.docs.update(keys.approval(name, id), approvalRequestSchema, async (current) => {
      if (!current) throw notFoundError(`no change request ${id} for model ${name}`);
      await this.recordLatest(current.value, true);
      const decision = decide(current.value);
      last.written = 'write' in decision ? decision.write : null;
      return decision;
    });
    if (last.written) await this.recordLatest(last.written);
    return result;
  }

  /** The newest `limit` requests filed before `before` (a request id or any prefix of one), newest first. */
  async page(name: string, request: PageRequest): Promise<Page<ApprovalRequest>> {
    const prefix = keys.approvalsPrefix(name);
    const from = request.before === undefined ? null : leastTimeOrderedIdFrom(request.before);
    const ids: string[] = [];
    let after = from === null ? undefined : keys.approval(name, from);
    for (;;) {
      const listed = await this.docs.objects.listPage(prefix, {
        maxKeys: Math.min(MAX_KEYS_PER_LIST, request.limit + 1 - ids.length),
        ...(after !== undefined ? { startAfter: after } : {}),
      });
      for (const key of listed.keys) {
        const id = parseTimelineKey(prefix, key);
        if (id) ids.push(id);
      }
      if (!listed.more || listed.keys.length === 0 || ids.length > request.limit) break;
      after = listed.keys[listed.keys.length - 1];
    }
    const pageIds = ids.slice(0, request.limit);
    const found = await mapLimit(pageIds, READS_IN_FLIGHT, (id) =>
      this.docs.value(keys.approval(name, id), approvalRequestSchema),
    );
    const items = found.filter((r): r is ApprovalRequest => r !== null);
    return { items, next: ids.length > request.limit && pageIds.length > 0 ? pageIds[pageIds.length - 1] : null };
  }

  /** The request's latest step into the history (a repair: most likely there already). A failure leaves it to the next change. */
  private async recordLatest(request: ApprovalRequest, repair = false): Promise<void> {
    const latest = request.events.at(-1);
    if (latest) await this.timeline.record(request.model, latest, { repair }).catch(() => undefined);
  }
}
