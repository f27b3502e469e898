/** One registry value a remediation sets. */
export interface RegistryValueFix {
  readonly name: string;
  readonly type: 'REG_DWORD' | 'REG_SZ';
  readonly value: number | string;
}

/** `HKLM\…` as reg.exe writes it, `HKLM:\…` as PowerShell does. */
function powershellPath(key: string): string {
  return key.replace(/^HKLM\\/, 'HKLM:\\');
}

function quoted(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * A remediation text carrying both `reg.exe add` commands and PowerShell commands that set the values under each
 * key (`HKLM\…`). Key names holding `/` (cipher names such as `RC4 128/128`) are created through .NET, because
 * PowerShell's registry provider reads `/` as a path separator.
 */
export function registryFix(lead: string, keys: readonly string[], values: readonly RegistryValueFix[]): string {
  const reg = keys
    .flatMap((key) => values.map((value) => `reg.exe add "${key}" /v ${value.name} /t ${value.type} /d ${typeof value.value === 'number' ? value.value : `"${value.value}"`} /f`))
    .join(' && ');
  const powershell = keys.map((key) => powershellCommands(key, values)).join('; ');
  return [lead, `reg.exe: ${reg}`, `PowerShell: ${powershell}`].join(' | ');
}

function powershellCommands(key: string, values: readonly RegistryValueFix[]): string {
  if (key.includes('/')) {
    const subkey = key.replace(/^HKLM\\/, '');
    return `$k = [Microsoft.Win32.Registry]::LocalMachine.CreateSubKey(${quoted(subkey)}); ${values
      .map((value) => `$k.SetValue(${quoted(value.name)}, ${typeof value.value === 'number' ? value.value : quoted(value.value)}, ${quoted(value.type === 'REG_DWORD' ? 'DWord' : 'String')})`)
      .join('; ')}; $k.Close()`;
  }
  const target = quoted(powershellPath(key));
  return [
    `New-Item -Path ${target} -Force | Out-Null`,
    ...values.map(
      (value) => `New-ItemProperty -Path ${target} -Name ${quoted(value.name)} -Value ${typeof value.value === 'number' ? value.value : quoted(value.value)} -PropertyType ${value.type === 'REG_DWORD' ? 'DWord' : 'String'} -Force | Out-Null`,
    ),
  ].join('; ');
}
