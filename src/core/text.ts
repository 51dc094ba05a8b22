/**
 * Text that PostgreSQL can store. A `text` or `jsonb` value may not hold NUL (U+0000), and a lone
 * UTF-16 surrogate (half of a pair, e.g. from slicing an emoji) has no UTF-8 form: either makes
 * PostgreSQL refuse the whole statement, and with it every other row written in the same
 * transaction. Text written by task code (errors, log lines) is therefore cleaned before it is
 * stored; values the task returns (XCom) are refused instead, since changing data silently is
 * worse than failing the try with a clear message.
 */

/** Lone surrogates: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE = new RegExp(`\u0000|${LONE_SURROGATE.source}`, 'g');

/** NUL and lone surrogates become U+FFFD (the replacement character); other text is unchanged. */
export function storableText(text: string): string {
  // The common case (clean text) costs one scan and no copy.
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE, '\uFFFD') : text;
}

/** Why PostgreSQL could not store this text, or undefined when it can. */
export function unstorableTextProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'it contains a NUL character (\\u0000), which PostgreSQL cannot store';
  if (LONE_SURROGATE.test(text)) {
    return 'it contains a lone UTF-16 surrogate (half of a character, e.g. a string cut in the middle of an emoji), which has no UTF-8 form';
  }
  return undefined;
}
