/**
 * The bucket's layout: every key the project reads or writes is built here and nowhere else.
 *
 *   models/{model}/versions/{version}/{file}   artifact files, written once; manifest.json last
 *   models/{model}/versions/{version}/registration.json
 *   models/{model}/aliases/{alias}.json         mutable (CAS): the pointer and the move that set it
 *   models/{model}/history/{eventId}.json       written once: every alias move and traffic change
 *                                               (the record; read by id)
 *   models/{model}/timeline/{scope}/{day}/{rest}.json  written once: a copy of a history event,
 *                                               under its id inverted so that S3's ascending
 *                                               listing reads newest first (a page of history
 *                                               costs its own size); scope is all/, traffic/,
 *                                               policy/, approval/ or aliases/{alias}/; {day}/{rest} is the
 *                                               inverted id cut after its day (timelineKeyPart)
 *   models/{model}/timeline/bundles/{scope}/{day}.json  mutable (CAS), grown by housekeeping:
 *                                               the timeline's events of that day in one
 *                                               document, so a page reads a few objects, not one
 *                                               per event (events it lacks are read alone)
 *   models/{model}/timeline/backfill.json       written once: events stored before the timeline
 *                                               have their copies (lib/registry/event-timeline.ts)
 *   models/{model}/traffic.json                 mutable (CAS): the traffic policy, its revision, a
 *                                               canary's step and when that step began
 *   models/{model}/policy.json                  mutable (CAS): the promotion policy, its revision
 *                                               and the change that set it
 *   models/{model}/approvals/{day}/{rest}.json  mutable (CAS): a four-eyes change request (its id
 *                                               inverted and cut as a timeline key: newest first)
 *   models/{model}/canary/decisions/{revision}.json  written once per policy revision
 *   models/{model}/canary/latest.json           mutable (CAS): the controller's last evaluation
 *   captures/{model}/{day}/{hh}/{id}.ndjson     written once: a batch of captured answers (UTC day
 *                                               and hour of its first answer; the id says when and
 *                                               which instance: lib/util/instance-ids.ts)
 *   captures/{model}/summaries/{day}/{hh}/{id}.json  written once, right after its batch: the
 *                                               batch's summary (counts, sketches, binned features)
 *   captures/{model}/minutes/{day}/{hhmm}.json  mutable (CAS): the summaries of the batches cut in a minute,
 *                                               merged (kept as long as the batches)
 *   captures/{model}/tens/{day}/{hhm}.json      mutable (CAS): ten minutes' minutes merged (m: the
 *                                               tens digit of the first minute; kept as the batches)
 *   summaries/{model}/hours/{day}/{hh}.json     mutable (CAS): an hour's ten-minute rollups merged
 *   summaries/{model}/days/{day}.json           mutable (CAS): a day's hours merged
 *   summaries/{model}/rolled-up.json            mutable (CAS): the stretch of time the rollups have covered
 *                                               without a gap (lib/monitoring/rollup-mark.ts)
 *   feedback/{model}/{day}/{requestId}.{index}.json  written once: the true class of one answer (day
 *                                               of the answer)
 *   drift/{model}/reports/{id}.json             written once
 *   drift/{model}/latest.json                   mutable (CAS)
 *   drift/{model}/last-retrain.json             mutable (CAS): the drift retrain cooldown
 *   jobs/{jobId}.json                           mutable (CAS): a retrain job's record
 *   locks/retrain-{model}.json                  mutable (CAS): one retrain at a time per model
 *   data/...                                    training and check data, uploaded by users
 *
 * captures/, feedback/ and summaries/ expire (lib/state/retention.ts): partitioned by UTC day,
 * so expiry finds what is old from the day folders (dayPartitions) without reading every key.
 */
import { z } from 'zod';
import { clip } from '../util/clip.ts';
import { isTimeOrderedId, TIME_ORDERED_ID_LENGTH } from '../util/ids.ts';

export class KeyError extends Error {
  override name = 'KeyError';
}

/** Model names, versions, aliases: one path segment, no dots at the start, no slashes. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
const JOB_ID = /^[A-Za-z0-9-]{1,64}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function segment(kind: string, value: string, pattern = NAME_PATTERN): string {
  if (!pattern.test(value)) throw new KeyError(`invalid ${kind} "${clip(value)}"`);
  return value;
}

/** The top-level prefixes: IAM policies and the packaging test are checked against these. */
export const PREFIXES = {
  models: 'models/',
  captures: 'captures/',
  feedback: 'feedback/',
  summaries: 'summaries/',
  drift: 'drift/',
  jobs: 'jobs/',
  locks: 'locks/',
  data: 'data/',
} as const;

/** UTC day of a time, the partition of captures and feedback. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** UTC hour of a time ("00" to "23"), the partition of captures within a day. */
export function hourOf(ms: number): string {
  return new Date(ms).toISOString().slice(11, 13);
}

/** Every UTC day from the one holding `since` to the one holding `until`, in order. */
export function daysBetween(since: number, until: number): string[] {
  const days: string[] = [];
  const first = new Date(since);
  for (
    let day = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate());
    day <= until;
    day += 86_400_000
  )
    days.push(dayOf(day));
  return days;
}

const model = (name: string): string => `${PREFIXES.models}${segment('model name', name)}/`;

/** Which events a timeline holds: every one, the traffic changes, the promotion policy's changes, the change requests' steps, or one alias's moves. */
export type TimelineScope = 'all' | 'traffic' | 'policy' | 'approval' | { alias: string };

const timelineScope = (scope: TimelineScope): string =>
  typeof scope === 'string' ? scope : `aliases/${segment('alias', scope.alias)}`;

/** Each hex digit swapped for its mirror ("0" <-> "f"): one order reversed into the other. */
const HEX = '0123456789abcdef';
const invert = (id: string): string => [...id].map((c) => (HEX.includes(c) ? HEX[15 - HEX.indexOf(c)] : c)).join('');
const DAY_LENGTH = 8;

/**
 * A timeOrderedId inverted, so a later id sorts first, and cut after its day into a folder:
 * "20261127T083012345Z-9f2c1a" -> "dfd9eed8/Tf7cfedcbaZ-60d3e5". The cut
 * keeps every folder of the embedded server small (s3rver lists by reading folders, and reads
 * the whole of the one a listing starts in); S3 sees one flat ascending order either way.
 * The timeline's folder is not named history-...: s3rver walks any folder whose name begins a
 * listed prefix, and would read all of history/.
 */
export function timelineKeyPart(eventId: string): string {
  if (!isTimeOrderedId(eventId))
    throw new KeyError(`event id "${clip(eventId)}" is not time-ordered: it has no place in a timeline`);
  const inverted = invert(eventId);
  return `${inverted.slice(0, DAY_LENGTH)}/${inverted.slice(DAY_LENGTH)}`;
}

/** The folder of an event id's day in a timeline (its inverted day), which its day's bundle is named after. */
export function timelineDay(eventId: string): string {
  return timelineKeyPart(eventId).slice(0, DAY_LENGTH);
}

/** The event id of a key under a timeline's prefix, or null for any other key. */
export function parseTimelineKey(prefix: string, key: string): string | null {
  if (!key.startsWith(prefix) || !key.endsWith('.json')) return null;
  const part = key.slice(prefix.length, -'.json'.length);
  if (part.length !== TIME_ORDERED_ID_LENGTH + 1 || part[DAY_LENGTH] !== '/') return null;
  const id = invert(part.slice(0, DAY_LENGTH) + part.slice(DAY_LENGTH + 1));
  return isTimeOrderedId(id) ? id : null;
}

export const keys = {
  modelsPrefix: (): string => PREFIXES.models,
  versionsPrefix: (name: string): string => `${model(name)}versions/`,
  versionPrefix: (name: string, version: string): string => `${model(name)}versions/${segment('version', version)}/`,
  versionFile: (name: string, version: string, file: string): string =>
    `${keys.versionPrefix(name, version)}${segment('artifact file', file)}`,
  aliasesPrefix: (name: string): string => `${model(name)}aliases/`,
  alias: (name: string, alias: string): string => `${model(name)}aliases/${segment('alias', alias)}.json`,
  historyPrefix: (name: string): string => `${model(name)}history/`,
  historyEvent: (name: string, eventId: string): string => `${model(name)}history/${segment('event id', eventId)}.json`,
  timelinePrefix: (name: string, scope: TimelineScope): string => `${model(name)}timeline/${timelineScope(scope)}/`,
  timelineEvent: (name: string, scope: TimelineScope, eventId: string): string =>
    `${keys.timelinePrefix(name, scope)}${timelineKeyPart(eventId)}.json`,
  timelineBundlesPrefix: (name: string, scope: TimelineScope): string =>
    `${model(name)}timeline/bundles/${timelineScope(scope)}/`,
  timelineBundle: (name: string, scope: TimelineScope, eventId: string): string =>
    `${keys.timelineBundlesPrefix(name, scope)}${timelineDay(eventId)}.json`,
  timelineBackfill: (name: string): string => `${model(name)}timeline/backfill.json`,
  traffic: (name: string): string => `${model(name)}traffic.json`,
  promotionPolicy: (name: string): string => `${model(name)}policy.json`,
  approvalsPrefix: (name: string): string => `${model(name)}approvals/`,
  /** A change request, under its id inverted (timelineKeyPart): a listing reads the newest first. */
  approval: (name: string, requestId: string): string => `${model(name)}approvals/${timelineKeyPart(requestId)}.json`,
  canaryDecisionsPrefix: (name: string): string => `${model(name)}canary/decisions/`,
  canaryDecision: (name: string, revision: number): string =>
    `${model(name)}canary/decisions/${String(revision).padStart(8, '0')}.json`,
  canaryLatest: (name: string): string => `${model(name)}canary/latest.json`,
  captureDay: (name: string, day: string): string =>
    `${PREFIXES.captures}${segment('model name', name)}/${segment('day', day, DAY)}/`,
  captureHour: (name: string, at: number): string => `${keys.captureDay(name, dayOf(at))}${hourOf(at)}/`,
  captureBatch: (name: string, at: number, id: string): string =>
    `${keys.captureHour(name, at)}${segment('batch id', id)}.ndjson`,
  batchSummariesDay: (name: string, day: string): string =>
    `${PREFIXES.captures}${segment('model name', name)}/summaries/${segment('day', day, DAY)}/`,
  batchSummariesHour: (name: string, at: number): string => `${keys.batchSummariesDay(name, dayOf(at))}${hourOf(at)}/`,
  batchSummary: (name: string, at: number, id: string): string =>
    `${keys.batchSummariesHour(name, at)}${segment('batch id', id)}.json`,
  // Minute rollups live under captures/: needed only while their batches are, they expire with them.
  /** The prefix of an hour's ten-minute rollups (not a folder: the hour's digits begin each file name). */
  tenMinuteSummariesHour: (name: string, at: number): string =>
    `${PREFIXES.captures}${segment('model name', name)}/tens/${dayOf(at)}/${hourOf(at)}`,
  /** The ten minutes from `at` (a multiple of ten minutes): `{hh}{m}.json`, m the tens digit of the minute. */
  tenMinuteSummary: (name: string, at: number): string =>
    `${keys.tenMinuteSummariesHour(name, at)}${new Date(at).toISOString().slice(14, 15)}.json`,
  /** The prefix of an hour's minute rollups (not a folder: the hour's digits begin each file name). */
  minuteSummariesHour: (name: string, at: number): string =>
    `${PREFIXES.captures}${segment('model name', name)}/minutes/${dayOf(at)}/${hourOf(at)}`,
  minuteSummary: (name: string, at: number): string =>
    `${keys.minuteSummariesHour(name, at)}${new Date(at).toISOString().slice(14, 16)}.json`,
  hourSummary: (name: string, at: number): string =>
    `${PREFIXES.summaries}${segment('model name', name)}/hours/${dayOf(at)}/${hourOf(at)}.json`,
  hourSummariesDay: (name: string, day: string): string =>
    `${PREFIXES.summaries}${segment('model name', name)}/hours/${segment('day', day, DAY)}/`,
  daySummariesPrefix: (name: string): string => `${PREFIXES.summaries}${segment('model name', name)}/days/`,
  daySummary: (name: string, day: string): string => `${keys.daySummariesPrefix(name)}${segment('day', day, DAY)}.json`,
  /** Outside the day partitions: kept while the summaries are, never expired with a day. */
  rollupMark: (name: string): string => `${PREFIXES.summaries}${segment('model name', name)}/rolled-up.json`,
  feedbackDay: (name: string, day: string): string =>
    `${PREFIXES.feedback}${segment('model name', name)}/${segment('day', day, DAY)}/`,
  /** One answer's label, at a key made from the answer itself: a second label for it finds the first. */
  feedback: (name: string, answeredAt: number, requestId: string, index: number): string =>
    `${keys.feedbackDay(name, dayOf(answeredAt))}${segment('request id', requestId, REQUEST_ID)}.${index}.json`,
  driftReport: (name: string, id: string): string =>
    `${PREFIXES.drift}${segment('model name', name)}/reports/${segment('report id', id)}.json`,
  driftLatest: (name: string): string => `${PREFIXES.drift}${segment('model name', name)}/latest.json`,
  driftLastRetrain: (name: string): string => `${PREFIXES.drift}${segment('model name', name)}/last-retrain.json`,
  job: (jobId: string): string => `${PREFIXES.jobs}${segment('job id', jobId, JOB_ID)}.json`,
  retrainLock: (name: string): string => `${PREFIXES.locks}retrain-${segment('model name', name)}.json`,
};

/**
 * Per model, the folders whose children are UTC day partitions (`{day}/`, or `{day}.json` when
 * `files`), and which retention period governs each (lib/retrain/retention-sweep.ts deletes the
 * expired ones where the store has no lifecycle engine).
 */
export function dayPartitions(
  name: string,
): { data: 'captures' | 'feedback' | 'summaries'; parent: string; files: boolean }[] {
  const m = segment('model name', name);
  return [
    { data: 'captures', parent: `${PREFIXES.captures}${m}/`, files: false },
    { data: 'captures', parent: `${PREFIXES.captures}${m}/summaries/`, files: false },
    { data: 'captures', parent: `${PREFIXES.captures}${m}/minutes/`, files: false },
    { data: 'captures', parent: `${PREFIXES.captures}${m}/tens/`, files: false },
    { data: 'feedback', parent: `${PREFIXES.feedback}${m}/`, files: false },
    { data: 'summaries', parent: `${PREFIXES.summaries}${m}/hours/`, files: false },
    { data: 'summaries', parent: keys.daySummariesPrefix(name), files: true },
  ];
}

/** Whether a path segment is a UTC day (YYYY-MM-DD), as day partitions are named. */
export function isDay(value: string): boolean {
  return DAY.test(value);
}

/** The version id and file of a key under versionsPrefix(name), or null. */
export function parseVersionKey(name: string, key: string): { version: string; file: string } | null {
  const rest = key.slice(keys.versionsPrefix(name).length);
  const slash = rest.indexOf('/');
  return key.startsWith(keys.versionsPrefix(name)) && slash > 0
    ? { version: rest.slice(0, slash), file: rest.slice(slash + 1) }
    : null;
}

export const MAX_DATA_KEY_LENGTH = 512;

/**
 * A user-supplied key of data in the bucket (retrain and drift check): a CSV under data/, at
 * most 512 characters, with no absolute path, "." or ".." segment or empty segment ("//"), so
 * it names exactly one object under data/ on every store.
 */
export const dataKeySchema = z
  .string()
  .max(MAX_DATA_KEY_LENGTH, `must be at most ${MAX_DATA_KEY_LENGTH} characters`)
  .superRefine((key, ctx) => {
    const problem = dataKeyProblem(key);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export function dataKeyProblem(key: string): string | null {
  if (key.length > MAX_DATA_KEY_LENGTH) return `must be at most ${MAX_DATA_KEY_LENGTH} characters`;
  if (!key.startsWith(PREFIXES.data)) return 'must be a key under data/ (for example data/2026-11.csv)';
  const segments = key.split('/');
  if (segments.some((s) => s === '')) return 'must not contain empty segments ("//") or end with "/"';
  if (segments.some((s) => s === '.' || s === '..')) return 'must not contain "." or ".." segments';
  if (!/^[A-Za-z0-9._/-]+$/.test(key)) return 'may contain only letters, digits, ".", "_", "-" and "/"';
  if (!key.endsWith('.csv')) return 'must end in .csv';
  return null;
}
