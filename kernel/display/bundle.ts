// What the formatters produce. Structurally the same as the runtime's MimeBundle, declared
// here so kernel/display depends on nothing above it.

/** MIME type → payload (a string, or JSON for `+json` types). */
export type MimeBundle = Record<string, unknown>;

/** A value ready to go out as `display_data` / `execute_result`. */
export interface FormattedValue {
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/** One link of the formatter chain: a bundle for values it recognises, undefined otherwise. */
export type Formatter = (value: unknown) => FormattedValue | undefined;
