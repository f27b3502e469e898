import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountStore } from '../store/account-store.js';
import { openStore } from '../store/open-store.js';
import { UsageError } from './exit-code.js';
import { tokenCommand } from './token-command.js';
import { userCommand } from './user-command.js';

function io(input = ''): { stdin: Readable; stdout: { write(text: string): void }; out: () => string } {
  let out = '';
  return { stdin: Readable.from([input]), stdout: { write: (text: string) => void (out += text) }, out: () => out };
}

describe('user and token commands', () => {
  let dir: string;
  let db: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'w3g-cli-'));
    db = path.join(dir, 'store.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a user with the password read from standard input, and lists it', async () => {
    const add = io('a long enough passphrase\n');
    await userCommand(add).parseAsync(['add', 'alice', '--role', 'admin', '--password-stdin', '--db', db], { from: 'user' });
    expect(add.out()).toBe('user alice added with role admin\n');
    const list = io();
    await userCommand(list).parseAsync(['list', '--db', db], { from: 'user' });
    expect(list.out()).toBe('alice\tadmin\n');
    const store = await openStore(db);
    try {
      const accounts = new AccountStore(store.database);
      expect(await accounts.signIn('alice', 'a long enough passphrase', new Date())).toMatchObject({ ok: true });
      expect(await accounts.signIn('alice', 'another passphrase', new Date())).toMatchObject({ ok: false });
    } finally {
      await store.close();
    }
  });

  it('refuses a common password, a missing --password-stdin, a bad name and a taken name', async () => {
    await expect(userCommand(io('password123\n')).parseAsync(['add', 'bob', '--role', 'viewer', '--password-stdin', '--db', db], { from: 'user' })).rejects.toThrow(/most common/);
    await expect(userCommand(io()).parseAsync(['add', 'bob', '--role', 'viewer', '--db', db], { from: 'user' })).rejects.toThrow(UsageError);
    await expect(userCommand(io('a long enough passphrase\n')).parseAsync(['add', 'bob smith', '--role', 'viewer', '--password-stdin', '--db', db], { from: 'user' })).rejects.toThrow(/user name/);
    await userCommand(io('a long enough passphrase\n')).parseAsync(['add', 'bob', '--role', 'viewer', '--password-stdin', '--db', db], { from: 'user' });
    await expect(userCommand(io('a long enough passphrase\n')).parseAsync(['add', 'bob', '--role', 'viewer', '--password-stdin', '--db', db], { from: 'user' })).rejects.toThrow(/exists already/);
  });

  it('prints a new token alone on standard output, lists it without the token, and revokes it', async () => {
    const create = io();
    await tokenCommand(create).parseAsync(['create', '--name', 'ci', '--role', 'operator', '--db', db], { from: 'user' });
    const token = create.out().trim();
    expect(create.out()).toMatch(/^w3g_[A-Za-z0-9_-]{43}\n$/);
    const list = io();
    await tokenCommand(list).parseAsync(['list', '--db', db], { from: 'user' });
    expect(list.out()).toMatch(/^1\tci\toperator\tactive\n$/);
    expect(list.out()).not.toContain(token);
    const store = await openStore(db);
    try {
      expect(await new AccountStore(store.database).findToken(token, new Date())).toMatchObject({ name: 'ci', role: 'operator' });
    } finally {
      await store.close();
    }
    await tokenCommand(io()).parseAsync(['revoke', '1', '--db', db], { from: 'user' });
    await expect(tokenCommand(io()).parseAsync(['revoke', '1', '--db', db], { from: 'user' })).rejects.toThrow(/no active token 1/);
    const reopened = await openStore(db);
    try {
      expect(await new AccountStore(reopened.database).findToken(token, new Date())).toBeUndefined();
    } finally {
      await reopened.close();
    }
  });

  it('adds a user limited to assets, refuses a blocklisted password, and resets a second factor', async () => {
    const blocklist = path.join(dir, 'blocklist.txt');
    writeFileSync(blocklist, 'a long enough passphrase\n');
    await expect(userCommand(io('a long enough passphrase\n')).parseAsync(['add', 'carol', '--role', 'viewer', '--password-stdin', '--password-blocklist', blocklist, '--db', db], { from: 'user' })).rejects.toThrow(/most common/);
    await expect(userCommand(io('another long passphrase\n')).parseAsync(['add', 'carol', '--role', 'viewer', '--password-stdin', '--password-blocklist', path.join(dir, 'none.txt'), '--db', db], { from: 'user' })).rejects.toThrow(/cannot be read/);
    await expect(userCommand(io('another long passphrase\n')).parseAsync(['add', 'carol', '--role', 'viewer', '--password-stdin', '--assets', 'WEB01/', '--db', db], { from: 'user' })).rejects.toThrow(/--assets/);
    const add = io('another long passphrase\n');
    await userCommand(add).parseAsync(['add', 'carol', '--role', 'viewer', '--password-stdin', '--password-blocklist', blocklist, '--assets', 'WEB01, WEB02/W3SVC2', '--db', db], { from: 'user' });
    expect(add.out()).toBe('user carol added with role viewer for WEB01, WEB02/W3SVC2\n');
    const store = await openStore(db);
    try {
      // A second factor as enrolment leaves it (the sealed value is opaque to the reset).
      await store.database.updateTable('users').set({ mfa_secret: 'v1.sealed', mfa_last_step: 5 }).where('name', '=', 'carol').execute();
    } finally {
      await store.close();
    }
    const list = io();
    await userCommand(list).parseAsync(['list', '--db', db], { from: 'user' });
    expect(list.out()).toBe('carol\tviewer\tmfa\tassets WEB01,WEB02/W3SVC2\n');
    const reset = io();
    await userCommand(reset).parseAsync(['mfa-reset', 'carol', '--db', db], { from: 'user' });
    expect(reset.out()).toBe('second factor of carol removed\n');
    await expect(userCommand(io()).parseAsync(['mfa-reset', 'nobody', '--db', db], { from: 'user' })).rejects.toThrow(/no user named nobody/);
    const reopened = await openStore(db);
    try {
      expect(await new AccountStore(reopened.database).findUser('carol')).toMatchObject({ mfa: false, assets: ['WEB01', 'WEB02/W3SVC2'] });
    } finally {
      await reopened.close();
    }
  });

  it('creates a token limited to assets', async () => {
    const create = io();
    await tokenCommand(create).parseAsync(['create', '--name', 'web01-push', '--role', 'operator', '--assets', 'WEB01', '--db', db], { from: 'user' });
    await expect(tokenCommand(io()).parseAsync(['create', '--name', 'x', '--role', 'operator', '--assets', ',', '--db', db], { from: 'user' })).rejects.toThrow(/at least one/);
    const store = await openStore(db);
    try {
      expect(await new AccountStore(store.database).findToken(create.out().trim(), new Date())).toMatchObject({ name: 'web01-push', assets: ['WEB01'] });
    } finally {
      await store.close();
    }
  });
});
