import { describe, expect, it } from 'vitest';
import { defRouting } from './routing';
import { defScope } from './scope';
import { ctxOf, ids, inventory, rec, request } from './testkit';
import { defWindow } from './window';

const seat = (
  seatId: string,
  role: string,
  holder: string | null,
  termFrom: string,
  termUntil: string | null,
) => rec('review-board-seat', { seatId, role, holder, termFrom, termUntil });
const seats = [
  seat('S-1', 'board-reviewer', 'n.okafor', '2026-01-01', '2027-12-31'),
  seat('S-2', 'cryptography-engineering-manager', 'j.lindqvist', '2025-06-01', null),
];

describe('DEF-SCOPE', () => {
  it('DEF-SCOPE: a known key in a non-empty scope is clear', () => {
    expect(defScope.run(ctxOf([request(), inventory()]))).toEqual([]);
  });
  it('DEF-SCOPE: an empty scope, a key not in the inventory and an unknown scope entry are scope-unclear', () => {
    expect(ids(defScope.run(ctxOf([request({ scope: [] })])))).toEqual([
      'DEF-SCOPE scope-unclear DR-1',
      'DEF-SCOPE scope-unclear K-1',
    ]);
    expect(ids(defScope.run(ctxOf([request({ scope: ['K-1', 'ghost-system'] }), inventory()])))).toEqual([
      'DEF-SCOPE scope-unclear ghost-system',
    ]);
  });
  it('DEF-SCOPE: no request known as of the instant is scope-unclear (a later request is not seen)', () => {
    expect(ids(defScope.run(ctxOf([request({ requestedAt: '2026-12-05' }), inventory()])))).toEqual([
      'DEF-SCOPE scope-unclear DR-1',
    ]);
  });
});

describe('DEF-ROUTING', () => {
  it('DEF-ROUTING: every required seat routed and seated is clear', () => {
    expect(defRouting.run(ctxOf([request(), ...seats]))).toEqual([]);
  });
  it('DEF-ROUTING: a seat not routed to, or whose holder’s term ended, is routing-unclear', () => {
    expect(ids(defRouting.run(ctxOf([request({ routeTo: ['board-reviewer'] }), ...seats])))).toEqual([
      'DEF-ROUTING routing-unclear cryptography-engineering-manager',
    ]);
    const ended = seat('S-1', 'board-reviewer', 'n.okafor', '2025-01-01', '2026-10-31');
    expect(ids(defRouting.run(ctxOf([request(), ended, seats[1]!])))).toEqual([
      'DEF-ROUTING routing-unclear board-reviewer',
    ]);
  });
  it('DEF-ROUTING: a new term starting after an ended one keeps the seat filled', () => {
    const ended = seat('S-1', 'board-reviewer', 'n.okafor', '2025-01-01', '2026-10-31');
    const next = seat('S-1b', 'board-reviewer', 'p.haddad', '2026-11-01', null);
    expect(defRouting.run(ctxOf([request(), ended, next, seats[1]!]))).toEqual([]);
  });
});

describe('DEF-WINDOW', () => {
  it('DEF-WINDOW: 73 days past the due date is within 90', () => {
    expect(defWindow.run(ctxOf([request()]))).toEqual([]);
  });
  it('DEF-WINDOW: 120 days is policy-criterion-unmet; with a 180-day policy it is not', () => {
    const long = request({ windowEnd: '2027-05-01' });
    expect(ids(defWindow.run(ctxOf([long])))).toEqual(['DEF-WINDOW policy-criterion-unmet DR-1']);
    expect(defWindow.run(ctxOf([long], { policy: { maxDeferralDays: 180 } }))).toEqual([]);
  });
  it('DEF-WINDOW: a window ending before it starts is scope-unclear', () => {
    expect(ids(defWindow.run(ctxOf([request({ windowEnd: '2026-12-15' })])))).toEqual([
      'DEF-WINDOW scope-unclear DR-1',
    ]);
  });
});
