import type { RequestHandler } from 'express';

export interface HealthCheck {
  name: string;
  /** Resolves true when healthy; a throw or false marks the process unhealthy. */
  check(): Promise<boolean> | boolean;
}

/** `GET /healthz`: 200 `{status:"ok"}` when every check passes, else 503 with the failing ones. */
export function healthRoute(checks: readonly HealthCheck[], timeoutMs = 1000): RequestHandler {
  return async (_req, res) => {
    const results = await Promise.all(
      checks.map(async (c) => {
        try {
          const ok = await Promise.race([
            Promise.resolve(c.check()),
            new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref()),
          ]);
          return [c.name, ok] as const;
        } catch {
          return [c.name, false] as const;
        }
      }),
    );
    const failing = results.filter(([, ok]) => !ok).map(([name]) => name);
    const checksOut = Object.fromEntries(results.map(([n, ok]) => [n, ok ? 'ok' : 'failing']));
    res.status(failing.length === 0 ? 200 : 503).json({ status: failing.length === 0 ? 'ok' : 'unavailable', checks: checksOut });
  };
}
