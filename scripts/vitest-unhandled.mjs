// A vitest reporter for what its JSON report leaves out: the errors no test
// caught (a timer firing after its test's DOM is gone, a rejection nobody
// awaited). Vitest fails the run for them; `npm test` names them.
// Writes {reason, errors: [{message, file, test}]} to $VEGA_VITEST_UNHANDLED.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export default class UnhandledErrorsReporter {
  onTestRunEnd(_modules, unhandledErrors, reason) {
    const out = process.env.VEGA_VITEST_UNHANDLED;
    if (!out) return;
    const errors = unhandledErrors.map((e) => ({
      message: `${e.name ?? 'Error'}: ${e.message ?? String(e)}`,
      file: e.VITEST_TEST_PATH ? path.relative(process.cwd(), e.VITEST_TEST_PATH) : null,
      test: e.VITEST_TEST_NAME ?? null,
    }));
    writeFileSync(out, JSON.stringify({ reason, errors }));
  }
}
