/**
 * Resolves every touch's `when` to an instant: absolute times as given, offsets from another
 * touch or from the webinar start. Unknown references and cycles are problems, each named.
 */
import { error, type Problem } from './problems.ts';
import type { When } from './schema.ts';

const unitMs = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

/** `-1d2h` → milliseconds. */
export function parseOffset(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  let total = 0;
  for (const [, amount, unit] of offset.matchAll(/(\d+)([wdhm])/g)) {
    total += Number(amount) * unitMs[unit as keyof typeof unitMs];
  }
  return sign * total;
}

export interface ScheduleInput {
  id: string;
  when: When;
  /** Where the touch is defined, for problems. */
  where?: Omit<Problem, 'severity' | 'code' | 'message'>;
}

export function resolveSchedule(
  touches: readonly ScheduleInput[],
  webinarStart: Date | undefined,
): { times: Map<string, Date>; problems: Problem[] } {
  const byId = new Map(touches.map((t) => [t.id, t]));
  const times = new Map<string, Date>();
  const failed = new Set<string>();
  const problems: Problem[] = [];

  const visit = (touch: ScheduleInput, stack: string[]): Date | undefined => {
    const known = times.get(touch.id);
    if (known) return known;
    if (failed.has(touch.id)) return undefined;
    const fail = (code: string, message: string) => {
      failed.add(touch.id);
      problems.push(error(code, message, { ...touch.where, touch: touch.id }));
      return undefined;
    };
    const when = touch.when;
    let at: Date | undefined;
    if (typeof when === 'string') {
      at = new Date(when);
    } else if ('webinar' in when) {
      if (!webinarStart)
        return fail('schedule.no-webinar', 'is timed from the webinar, but the campaign has no webinar');
      at = new Date(webinarStart.getTime() + parseOffset(when.webinar));
    } else {
      if (stack.includes(when.after)) {
        return fail(
          'schedule.cycle',
          `schedule cycle: ${[...stack, touch.id].slice(stack.indexOf(when.after)).join(' → ')} → ${when.after}`,
        );
      }
      const base = byId.get(when.after);
      if (!base) {
        const ids = [...byId.keys()].join(', ');
        return fail(
          'schedule.unknown-touch',
          `is timed after "${when.after}", which is not a touch of this campaign (touches: ${ids})`,
        );
      }
      const baseAt = visit(base, [...stack, touch.id]);
      if (!baseAt) {
        failed.add(touch.id);
        return undefined;
      }
      at = new Date(baseAt.getTime() + parseOffset(when.offset));
    }
    times.set(touch.id, at);
    return at;
  };
  for (const touch of touches) visit(touch, []);
  return { times, problems };
}
