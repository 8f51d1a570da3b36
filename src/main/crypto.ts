import { hash } from 'node:crypto';
import type { Sha256 } from '../core/bytes';

/** Node's one-shot SHA-256 (OpenSSL), injected into core wherever it hashes. */
export const sha256: Sha256 = (data) => hash('sha256', data, 'buffer');
