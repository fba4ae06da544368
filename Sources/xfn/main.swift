import XfnCLI

await XfnCommand.runMain()
