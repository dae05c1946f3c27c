/** Process exit codes (sysexits.h where one fits; systemd's unit stops restarting on 78). */
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 64,
  /** A probe found a dependency unavailable (camera, MySQL). */
  UNAVAILABLE: 69,
  /** Bad config: systemd's RestartPreventExitStatus=78 stops the restart loop. */
  CONFIG: 78,
} as const;
