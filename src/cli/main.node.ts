#!/usr/bin/env node
// Entry point of the `awsig` command (package.json `bin`). Answers --version and --help at once and
// loads the rest only when there is a request to make, so that starting up costs little.
import { readFileSync } from 'node:fs'

const argv = process.argv.slice(2)

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  process.stdout.write(`awsig ${pkg.version}\n`)
} else {
  const { parseCommandLine, HELP, EXIT } = await import('./args.node.js')
  let args: ReturnType<typeof parseCommandLine> | undefined
  try {
    args = parseCommandLine(argv)
  } catch (error) {
    process.stderr.write(`awsig: ${(error as Error).message} (see awsig --help)\n`)
    process.exitCode = EXIT.usage
  }
  if (args?.help) process.stdout.write(HELP)
  else if (args?.version) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    process.stdout.write(`awsig ${pkg.version}\n`)
  } else if (args !== undefined) {
    const { run } = await import('./run.node.js')
    process.exitCode = await run(args)
  }
}
