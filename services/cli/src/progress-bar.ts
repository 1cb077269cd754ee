/**
 * Progress on stderr: a bar redrawn in place on a terminal, plain lines (at most one every few
 * seconds, and one per phase) when stderr is a file or a pipe.
 */

export interface ProgressState {
  phase: 'waiting' | 'listing' | 'refetching' | 'recomputing' | 'checking' | 'writing' | 'done';
  ticketsSeen: number;
  /** Ledger changes so far plus tickets written. */
  repaired: number;
  /** Write-backs done and due (the writing phase). */
  written?: { done: number; total: number };
}

export interface ProgressBar {
  update(state: ProgressState): void;
  /** Prints a message on its own line (keeps the bar below it on a terminal). */
  note(message: string): void;
  /** Clears the bar (terminal) so the summary starts on a clean line. */
  end(): void;
}

export interface ProgressBarOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  label: string;
  /** Minimum time between two redraws (terminal) or two lines within a phase (plain). */
  everyMs?: number;
  now?: () => number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const BAR_WIDTH = 24;

export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const { stream, label } = options;
  const tty = stream.isTTY === true;
  const now = options.now ?? Date.now;
  const everyMs = options.everyMs ?? (tty ? 80 : 2000);
  let last = 0;
  let lastPhase: ProgressState['phase'] | null = null;
  let frame = 0;
  let drawn = false;
  let current: ProgressState | null = null;

  const line = (s: ProgressState): string => {
    const counts = `${s.ticketsSeen} tickets seen · ${s.repaired} repaired`;
    if (s.written && s.written.total > 0) {
      const filled = Math.round((s.written.done / s.written.total) * BAR_WIDTH);
      const bar = tty ? `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ` : '';
      return `${label} ${s.phase}: ${bar}${s.written.done}/${s.written.total} tickets written · ${counts}`;
    }
    const spin = tty ? `${SPINNER[frame++ % SPINNER.length]} ` : '';
    return `${spin}${label} ${s.phase}: ${counts}`;
  };

  const draw = (s: ProgressState) => {
    if (tty) {
      const width = Math.max(20, (stream.columns ?? 100) - 1);
      stream.write(`\r\x1b[2K${line(s).slice(0, width)}`);
      drawn = true;
    } else {
      stream.write(`${line(s)}\n`);
    }
  };

  return {
    update(state) {
      current = state;
      const t = now();
      const phaseChanged = state.phase !== lastPhase;
      if (!phaseChanged && t - last < everyMs) return;
      last = t;
      lastPhase = state.phase;
      draw(state);
    },
    note(message) {
      if (tty && drawn) stream.write('\r\x1b[2K');
      stream.write(`${message}\n`);
      if (tty && current) draw(current);
    },
    end() {
      if (tty && drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
