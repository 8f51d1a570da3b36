import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodedError } from '../../../src/core/errors';
import { systemDeps } from '../../../src/main/runtime';
import { approvalRefusals, importApproval } from '../../../src/main/services/bundles/approvals';
import { Station } from '../../../src/main/station/station';
import { suiteTempDir } from '../../helpers/temp';

/**
 * APR-FILE: an approval file refused for what it is on the media — over 64 KiB, a symbolic link, a FIFO,
 * a directory — is journaled like every other approval refusal (one `approval.refused` with its code and
 * check ID; nothing was read, so its envelope digest is null). Before, these two were thrown unrecorded.
 */
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let media: string;

beforeAll(() => {
  suite = suiteTempDir();
  media = join(suite.dir, 'media');
  mkdirSync(media);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
});
afterAll(() => {
  station?.close();
  suite?.remove();
});

async function refusal(path: string) {
  const head = station.journal.head().seq;
  const error = await importApproval(station, path, 'operator:so').then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CodedError);
  const added = station.journal.page(head + 1, 10);
  expect(added.map((r) => [r.kind, r.actor])).toEqual([['approval.refused', 'operator:so']]);
  return {
    code: (error as CodedError).code,
    check: (error as CodedError).data.check,
    body: JSON.parse(Buffer.from(added[0]!.body).toString()) as Record<string, unknown>,
  };
}

describe('APR-FILE: approval files refused for what they are are journaled', () => {
  it('an approval over 64 KiB → APPROVAL_TOO_LARGE, journaled with its check ID', async () => {
    const path = join(media, 'big-v1-bob-1.approval.json');
    writeFileSync(path, Buffer.alloc(64 * 1024 + 1, 0x20));
    const r = await refusal(path);
    expect([r.code, r.check]).toEqual(['APPROVAL_TOO_LARGE', 'APR-FILE']);
    expect(r.body).toMatchObject({ code: 'APPROVAL_TOO_LARGE', check: 'APR-FILE', envelopeSha256: null });
    expect(r.body.detail).toContain('big-v1-bob-1.approval.json');
  });

  it('an approval that is a symbolic link → APPROVAL_NOT_REGULAR_FILE, journaled, the target never read', async () => {
    writeFileSync(join(suite.dir, 'target.json'), '{}');
    const path = join(media, 'link-v1-bob-1.approval.json');
    symlinkSync(join(suite.dir, 'target.json'), path);
    const r = await refusal(path);
    expect([r.code, r.check]).toEqual(['APPROVAL_NOT_REGULAR_FILE', 'APR-FILE']);
    expect(r.body).toMatchObject({
      code: 'APPROVAL_NOT_REGULAR_FILE',
      check: 'APR-FILE',
      envelopeSha256: null,
    });
  });

  it('a FIFO or a directory named like an approval is refused and journaled the same way', async () => {
    const fifo = join(media, 'fifo-v1-bob-1.approval.json');
    spawnSync('mkfifo', [fifo]);
    expect((await refusal(fifo)).code).toBe('APPROVAL_NOT_REGULAR_FILE');
    const dir = join(media, 'dir-v1-bob-1.approval.json');
    mkdirSync(dir);
    expect((await refusal(dir)).code).toBe('APPROVAL_NOT_REGULAR_FILE');
    // The refusal list the UI shows has every one of them.
    expect(approvalRefusals(station).map((r) => r.code)).toEqual([
      'APPROVAL_NOT_REGULAR_FILE',
      'APPROVAL_NOT_REGULAR_FILE',
      'APPROVAL_NOT_REGULAR_FILE',
      'APPROVAL_TOO_LARGE',
    ]);
  });

  it('a missing file is a usage slip, not a refusal: nothing is journaled', async () => {
    const head = station.journal.head().seq;
    await expect(
      importApproval(station, join(media, 'nope.approval.json'), 'operator:so'),
    ).rejects.toMatchObject({
      code: 'BUNDLE_NOT_FOUND',
    });
    expect(station.journal.head().seq).toBe(head);
  });
});
