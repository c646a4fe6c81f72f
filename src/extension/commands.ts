/**
 * The one way the extension registers commands: every command's errors and cancellations are
 * turned into messages here, once. A command describes what it was doing (`call.doing`, e.g.
 * "Sync to lab") so that a failure reads "Sync to lab failed: <reason>"; a cancellation shows
 * `call.cancelled` when set (and nothing otherwise). Called from code with an argument object
 * (tests, automation), the error is also rethrown, so that callers can tell failure from
 * "nothing to do".
 */
import * as vscode from 'vscode';
import { isCancelled } from '../core/errors';

export interface CommandCall {
  /** What the command is doing, for the failure message ("Submitting to lab"). */
  doing?: string;
  /** Shown as a warning when the command is cancelled. */
  cancelled?: string;
}

/** True for an argument object passed by code (not a Uri, a tree item or a selection). */
export function isAutomationArgument(arg: unknown): boolean {
  return typeof arg === 'object' && arg !== null && !Array.isArray(arg) && Object.getPrototypeOf(arg) === Object.prototype;
}

export function registerCommand(
  context: vscode.ExtensionContext,
  id: string,
  handler: (call: CommandCall, ...args: unknown[]) => unknown,
  options: { rethrow?: (args: unknown[]) => boolean } = {},
): void {
  const rethrow = options.rethrow ?? ((args: unknown[]) => isAutomationArgument(args[0]));
  context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      const call: CommandCall = {};
      try {
        return await handler(call, ...args);
      } catch (error) {
        if (isCancelled(error)) {
          if (call.cancelled) void vscode.window.showWarningMessage(call.cancelled);
        } else {
          const reason = error instanceof Error ? error.message : String(error);
          void vscode.window.showErrorMessage(call.doing ? `${call.doing} failed: ${reason}` : reason);
        }
        if (rethrow(args)) throw error;
        return undefined;
      }
    }),
  );
}
