/**
 * Masking of the secrets a try has read (pure; README, "Masking"): every connection password and
 * secret variable value handed to the try's code is replaced by `***` in the lines of its log and
 * in its error, before either leaves the process that runs the code.
 *
 * A value shorter than MIN_MASKED_LENGTH is not masked, as in Airflow (min_length_masked_secret):
 * masking "1" or "abc" would blank out every number and word that happens to contain them, and
 * make the log unreadable for no protection. A value is masked as written and as it appears
 * inside a JSON string (log lines are JSON), so quotes, backslashes and newlines in it are found too.
 */

export const MIN_MASKED_LENGTH = 5;
const MASK = '***';

export class SecretMask {
  private readonly values = new Set<string>();
  /** Longest first, so a secret that holds another is masked whole. */
  private sorted: string[] = [];

  add(value: string | null | undefined): void {
    if (!value || value.length < MIN_MASKED_LENGTH) return;
    const inJson = JSON.stringify(value).slice(1, -1);
    const before = this.values.size;
    this.values.add(value).add(inJson);
    if (this.values.size !== before) this.sorted = [...this.values].sort((a, b) => b.length - a.length);
  }

  get empty(): boolean {
    return this.sorted.length === 0;
  }

  apply(text: string): string {
    let masked = text;
    for (const value of this.sorted) if (masked.includes(value)) masked = masked.split(value).join(MASK);
    return masked;
  }
}
