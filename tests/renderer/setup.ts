// Runs before every unit test file; only the renderer's (jsdom) files need it.
// A query that waits (findBy…, waitFor) gives up after 1 s by default: on a
// busy 2-core machine a first render can take longer. A pass is not slowed by
// a longer bound, only a failure is reported later.
if (typeof document !== 'undefined') {
  const { configure } = await import('@testing-library/react');
  configure({ asyncUtilTimeout: 5_000 });
}
