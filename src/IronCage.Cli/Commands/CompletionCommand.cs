using System.CommandLine;

namespace IronCage.Cli.Commands;

/// <summary>
/// <c>ironcage completion bash|zsh|pwsh</c>: prints a shell completion script. The script asks the tool itself what
/// fits at the cursor (System.CommandLine's <c>[suggest]</c> directive), so completions always match the installed
/// version: <c>source &lt;(ironcage completion bash)</c> in <c>~/.bashrc</c>.
/// </summary>
internal static class CompletionCommand
{
    public static Command Build(CliContext context)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or pwsh." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "pwsh");
        var command = new Command("completion", "Print a shell completion script (bash, zsh or pwsh).") { shell };
        command.SetAction(parsed =>
        {
            context.Output.Write(parsed.GetValue(shell) switch
            {
                "bash" => """
                    _ironcage_complete() {
                        local IFS=$'\n'
                        local line="${COMP_LINE#* }"
                        local point=$(( COMP_POINT - ${#COMP_LINE} + ${#line} ))
                        COMPREPLY=( $(compgen -W "$(ironcage "[suggest:${point}]" "${line}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
                    }
                    complete -o default -F _ironcage_complete ironcage

                    """,
                "zsh" => """
                    _ironcage_complete() {
                        local -a completions
                        local line="${BUFFER#* }"
                        completions=("${(@f)$(ironcage "[suggest:${#line}]" "${line}" 2>/dev/null)}")
                        compadd -a completions
                    }
                    compdef _ironcage_complete ironcage

                    """,
                _ => """
                    Register-ArgumentCompleter -Native -CommandName ironcage -ScriptBlock {
                        param($wordToComplete, $commandAst, $cursorPosition)
                        $line = "$commandAst" -replace '^\S+\s*', ''
                        $position = $cursorPosition - ("$commandAst".Length - $line.Length)
                        ironcage "[suggest:$position]" "$line" 2>$null | ForEach-Object {
                            [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                        }
                    }

                    """,
            });
            return ExitCodes.Ok;
        });
        return command;
    }
}
