/**
 * The authentication plan, in OpenSSH's order: the agent, the identity files, keyboard-interactive
 * (three rounds), password (three tries), each only if the server accepts it. The user is asked
 * through the callbacks, with the handshake clock stopped; a cancelled prompt ends the plan (the
 * handshake then fails with a CancelledError).
 */
import { CancelledError } from '../../core/errors';
import { describeTarget, SshError } from './errors';
import type { HandshakeContext } from './handshakeContext';
import { loadKey } from './keys';
import type { SshTarget } from './sshConfig';
import type { SshCallbacks, SshPrompt } from './types';

type Method = 'agent' | 'key' | 'keyboard-interactive' | 'password';

/** What ssh2's authHandler is given to try next, or false to give up. */
type AuthAttempt = Record<string, unknown> | false;

type KeyboardPrompt = { prompt: string; echo?: boolean };

export class AuthPlan {
  private readonly steps: Array<{ method: Method; path?: string }> = [];
  /** The methods the server accepts, once it has said (after the first "none" request). */
  private serverMethods: string[] | undefined;
  private keyboardTried = false;
  /** What was offered, for the "Permission denied" message. */
  private readonly tried: string[] = [];
  /** Why keys were skipped, for the same message. */
  private readonly notes: string[] = [];
  private readonly label: string;

  /**
   * @param agent the agent socket to use, if any
   * @param context the handshake this plan runs in (user prompts stop its clock; refusals end it)
   */
  constructor(
    private readonly target: SshTarget,
    private readonly agent: string | undefined,
    private readonly callbacks: SshCallbacks,
    private readonly context: HandshakeContext,
  ) {
    if (agent && !target.identitiesOnly) this.steps.push({ method: 'agent' });
    for (const path of target.identityFiles) this.steps.push({ method: 'key', path });
    for (let i = 0; i < 3; i++) this.steps.push({ method: 'keyboard-interactive' });
    for (let i = 0; i < 3; i++) this.steps.push({ method: 'password' });
    this.label = describeTarget(target);
  }

  /** ssh2's `authHandler`: first "none" (to learn the server's methods, like OpenSSH), then the plan. */
  readonly handler = (methodsLeft: string[] | null, _partial: boolean | null, callback: (next: unknown) => void): void => {
    if (this.context.refusal) return callback(false);
    if (!methodsLeft && !this.serverMethods) return callback({ type: 'none', username: this.target.user });
    if (methodsLeft) this.serverMethods = methodsLeft;
    this.next().then(
      (next) => callback(next),
      (error: unknown) => {
        this.context.refuse(error instanceof SshError || error instanceof CancelledError ? error : new SshError(String((error as Error)?.message ?? error), 'key'));
        callback(false);
      },
    );
  };

  /** The error once every method has failed: what the server accepts, what was tried and why keys were not. */
  permissionDenied(): SshError {
    const methods = this.serverMethods?.join(',') ?? 'publickey';
    const what = this.tried.length > 0 ? `tried ${this.tried.join(', ')}` : 'no usable key or agent';
    const notes = this.notes.length ? ` ${this.notes.join(' ')}` : '';
    return new SshError(`Permission denied (${methods}) for ${this.label}: ${what}.${notes}`, 'auth');
  }

  private allowed(method: string): boolean {
    return !this.serverMethods || this.serverMethods.includes(method);
  }

  /** The next method to try, skipping those the server refuses or that cannot be used. */
  private async next(): Promise<AuthAttempt> {
    while (this.steps.length > 0) {
      const step = this.steps.shift()!;
      const attempt = await this.attempt(step.method, step.path);
      if (attempt !== undefined) return attempt;
    }
    return false;
  }

  /** One step: what to send, false to give up, undefined to go on with the next step. */
  private async attempt(method: Method, path: string | undefined): Promise<AuthAttempt | undefined> {
    const { user } = this.target;
    switch (method) {
      case 'agent':
        if (!this.allowed('publickey')) return undefined;
        this.tried.push('agent');
        return { type: 'agent', username: user, agent: this.agent };
      case 'key': {
        if (!this.allowed('publickey')) return undefined;
        const key = await loadKey(path!, this.callbacks, (ask) => this.context.askUser(ask), this.notes);
        if (!key) return undefined;
        this.tried.push(key.path);
        return { type: 'publickey', username: user, key: key.data, passphrase: key.passphrase };
      }
      case 'keyboard-interactive':
        if (!this.allowed('keyboard-interactive')) return undefined;
        this.keyboardTried = true;
        this.tried.push('keyboard-interactive');
        return { type: 'keyboard-interactive', username: user, prompt: this.answerKeyboard };
      case 'password': {
        if (!this.allowed('password') || (this.keyboardTried && this.allowed('keyboard-interactive'))) return undefined;
        const password = await this.ask({ title: `SSH ${this.label}`, prompt: `Password for ${this.label}`, echo: false });
        if (password === undefined) {
          this.context.refuse(this.cancelled());
          return false;
        }
        this.tried.push('password');
        return { type: 'password', username: user, password };
      }
    }
  }

  /** ssh2's keyboard-interactive prompt handler: asks each prompt in turn; a cancel ends the plan. */
  private readonly answerKeyboard = (name: string, instructions: string, _lang: string, prompts: KeyboardPrompt[], finish: (answers: string[]) => void): void => {
    void (async () => {
      const answers: string[] = [];
      for (const p of prompts) {
        const answer = await this.ask({
          title: name || `SSH ${this.label}`,
          prompt: [instructions, p.prompt].filter((s) => s && s.trim()).join(' ').trim(),
          echo: p.echo ?? false,
        });
        if (answer === undefined) {
          this.context.refuse(this.cancelled());
          this.steps.length = 0;
          break;
        }
        answers.push(answer);
      }
      finish(answers);
    })();
  };

  /** Asks the user (clock stopped); undefined when cancelled or the prompt failed. */
  private ask(prompt: SshPrompt): Promise<string | undefined> {
    return this.context.askUser(() => this.callbacks.prompt(prompt)).catch(() => undefined);
  }

  private cancelled(): CancelledError {
    return new CancelledError(`Authentication cancelled for ${this.label}.`);
  }
}
