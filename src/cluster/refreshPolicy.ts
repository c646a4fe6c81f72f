/**
 * How far apart a cluster's regular refreshes are: the setting, ×UNFOCUSED_FACTOR while the VS
 * Code window is not focused (nobody looks: a lighter touch on slurmctld), and at most
 * FOLLOWING_MAX_MS while a job's output is followed (the job's end comes from the refresh, not
 * from a request per job). The extension reports the window's focus (window.onDidChangeWindowState).
 */
export const UNFOCUSED_FACTOR = 4;
export const FOLLOWING_MAX_MS = 15_000;

export interface RefreshConditions {
  focused: boolean;
  /** Output of a job of this cluster is followed. */
  following: boolean;
}

export function refreshIntervalFor(settingMs: number, conditions: RefreshConditions): number {
  const base = conditions.following ? Math.min(settingMs, FOLLOWING_MAX_MS) : settingMs;
  return conditions.focused ? base : base * UNFOCUSED_FACTOR;
}
