/**
 * The modules the app loads lazily (the dashboard's charts, Settings),
 * imported ahead. On a cold transform cache their first import takes longer
 * than a query waits; loaded in a hook (which has its own, longer bound),
 * the app's `import()` finds them ready and a test only waits for React.
 */
export async function loadLazyViews(): Promise<void> {
  await Promise.all([import('../../src-renderer/dashboard/DashboardPanels.js'), import('../../src-renderer/settings/SettingsView.js')]);
}
