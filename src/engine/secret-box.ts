/**
 * Secrets at rest (README, "Secrets"): AES-256-GCM from node:crypto with SLUICE_SECRET_KEY, a
 * fresh random 96-bit IV for every value (GCM must never see an IV twice under one key), and the
 * value's place (`connection:warehouse:password`) as associated data, so a sealed value copied
 * into another row or field fails to open rather than passing for that one.
 *
 * A sealed value is text: `v1.<key fingerprint>.<iv>.<tag>.<ciphertext>` (base64url parts). The
 * fingerprint (the first 8 hex digits of a SHA-256 of the key) says which key sealed it, so during
 * a rotation the right one of SLUICE_SECRET_KEY and SLUICE_SECRET_KEY_PREVIOUS is picked, and
 * `sluice secrets rotate` knows what still needs resealing. It says nothing usable about the key.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SecretKeys } from '../config.ts';
import { badRequest, SluiceError } from '../errors.ts';

const VERSION = 'v1';
const HOW_TO_MAKE = 'make one with "openssl rand -hex 32"';

export const keyFingerprint = (key: Buffer): string => createHash('sha256').update('sluice-secret-key:').update(key).digest('hex').slice(0, 8);

/**
 * A value that cannot be opened with the keys this process has: a 409 for the API (the request
 * is fine, the server's keys do not match what is stored), exit 2 for the CLI, the try's error in
 * a task. The message names the value and what to set.
 */
const secretKeyError = (message: string) => new SluiceError(409, 'secret_key', message);

export class SecretBox {
  private readonly byFingerprint = new Map<string, Buffer>();
  readonly currentFingerprint: string | undefined;

  constructor(private readonly keys: SecretKeys) {
    for (const key of [...keys.previous].reverse()) this.byFingerprint.set(keyFingerprint(key), key);
    if (keys.current) {
      this.currentFingerprint = keyFingerprint(keys.current);
      this.byFingerprint.set(this.currentFingerprint, keys.current);
    }
  }

  /**
   * Seals `plain` for `place`. Without SLUICE_SECRET_KEY the value is refused (a 400 / exit 2),
   * never stored in the clear: `what` says what was being stored.
   */
  seal(plain: string, place: string, what: string): string {
    const key = this.keys.current;
    if (!key) {
      throw badRequest(
        `${what} cannot be stored: SLUICE_SECRET_KEY is not set, and secrets are only stored encrypted. ` +
          `Set SLUICE_SECRET_KEY to 32 random bytes (${HOW_TO_MAKE}) for the webserver, the CLI, the scheduler and the workers`,
      );
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(place));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, this.currentFingerprint, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
  }

  /** Opens what seal() made for `place`; `what` names it in the error when no key set opens it. */
  open(sealed: string, place: string, what: string): string {
    const [version, fingerprint, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || !fingerprint || iv === undefined || tag === undefined || data === undefined) {
      throw secretKeyError(`${what} is stored in a form this version of Sluice cannot read (not ${VERSION}); set it again`);
    }
    const key = this.byFingerprint.get(fingerprint);
    if (!key) {
      throw secretKeyError(
        `${what} cannot be decrypted: it was sealed with the key of fingerprint ${fingerprint}, which is neither SLUICE_SECRET_KEY ` +
          `(${this.currentFingerprint ?? 'not set'}) nor one of SLUICE_SECRET_KEY_PREVIOUS; set the key it was sealed with ` +
          '(after a rotation, as SLUICE_SECRET_KEY_PREVIOUS) or set this value again',
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(place));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw secretKeyError(`${what} cannot be decrypted: it fails its integrity check (changed in the database, or copied from another row); set it again`);
    }
  }

  /** Whether `sealed` needs resealing under the current key (it was sealed under an older one). */
  isStale(sealed: string): boolean {
    return this.currentFingerprint !== undefined && sealed.split('.')[1] !== this.currentFingerprint;
  }
}
