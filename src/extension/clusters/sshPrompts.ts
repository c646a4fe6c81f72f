/**
 * The VS Code side of the SSH transport's callbacks: input boxes for passwords, one-time codes and
 * key passphrases (hidden input), a modal warning with the fingerprint for unknown host keys, and
 * VS Code's SecretStorage for passphrases the user chose to remember. Nothing is logged.
 */
import * as vscode from 'vscode';
import type { HostKeyInfo, PassphraseAnswer, SshCallbacks, SshPrompt } from '../../cluster';
import type { ExtensionState } from '../state';

const TRUST = 'Trust and Connect';
const REMEMBER = 'Remember';

export function createSshCallbacks(state: ExtensionState, clusterName: string): SshCallbacks {
  const secrets = state.secrets();
  return {
    async prompt(prompt: SshPrompt): Promise<string | undefined> {
      return vscode.window.showInputBox({
        title: `${clusterName}: ${prompt.title}`,
        prompt: prompt.prompt || 'Answer',
        password: !prompt.echo,
        ignoreFocusOut: true,
      });
    },

    async askPassphrase(keyPath: string, retry: boolean): Promise<PassphraseAnswer | undefined> {
      const passphrase = await vscode.window.showInputBox({
        title: `${clusterName}: key passphrase`,
        prompt: retry ? `Wrong passphrase. Passphrase for ${keyPath}` : `Passphrase for ${keyPath}`,
        password: true,
        ignoreFocusOut: true,
      });
      if (passphrase === undefined) return undefined;
      const choice = await vscode.window.showQuickPick(
        [
          { label: 'Only for this session', remember: false },
          { label: REMEMBER, description: "in VS Code's secret storage", remember: true },
        ],
        { title: `Remember the passphrase of ${keyPath}?`, ignoreFocusOut: true },
      );
      return { passphrase, remember: choice?.remember === true };
    },

    async confirmUnknownHostKey(info: HostKeyInfo): Promise<boolean> {
      const where = info.port === 22 ? info.host : `${info.host} port ${info.port}`;
      const answer = await vscode.window.showWarningMessage(
        `The authenticity of host ${where} can't be established.`,
        {
          modal: true,
          detail:
            `${info.keyType} key fingerprint is ${info.fingerprint}.\n\n` +
            `Compare it with the fingerprint published by the cluster's administrators. ` +
            `If you trust it, it is added to ${info.knownHostsFile}.`,
        },
        TRUST,
      );
      return answer === TRUST;
    },

    secrets: {
      get: async (name) => secrets.get(name),
      store: async (name, value) => secrets.store(name, value),
      delete: async (name) => secrets.delete(name),
    },
  };
}
