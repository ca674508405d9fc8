/** Structured fields that go with a log line (task id, kind, attempt, …). */
export type LogFields = Record<string, unknown>;

/** The small logger the engine writes to and hands to task handlers. */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** One JSON line per entry on stderr. */
export const consoleLogger: Logger = {
  info: (message, fields) => write('info', message, fields),
  warn: (message, fields) => write('warn', message, fields),
  error: (message, fields) => write('error', message, fields),
};

function write(level: string, message: string, fields: LogFields = {}): void {
  console.error(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
}

/**
 * A logger that adds `fields` to every line and never throws: a broken log
 * sink must not take a worker down with it.
 */
export function childLogger(log: Logger, fields: LogFields): Logger {
  const safe =
    (level: keyof Logger) =>
    (message: string, more?: LogFields): void => {
      try {
        log[level](message, { ...fields, ...more });
      } catch {
        // Nowhere left to report it.
      }
    };
  return { info: safe('info'), warn: safe('warn'), error: safe('error') };
}
