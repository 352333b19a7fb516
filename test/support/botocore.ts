// botocore (the AWS SDK for Python's signer) as a reference: one long-lived Python child process
// (botocore-signer.py) that answers JSON lines. Requests are pipelined: many may be in flight at once,
// and each answer is matched to its request by id.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const SCRIPT = fileURLToPath(new URL('./botocore-signer.py', import.meta.url))
const PYTHON = process.env.PYTHON ?? 'python3'

/** Whether `python3` (or `$PYTHON`) can import botocore. */
export function botocoreInstalled(): boolean {
  return spawnSync(PYTHON, ['-c', 'import botocore.auth'], { stdio: 'ignore' }).status === 0
}

export interface BotocoreRequest {
  /** `header`: SigV4Auth / S3SigV4Auth. `query`: SigV4QueryAuth / S3SigV4QueryAuth. */
  mode: 'header' | 'query'
  service: string
  region: string
  method: string
  url: string
  /** Repeated names are repeated headers. */
  headers: ReadonlyArray<readonly [string, string]>
  body: Uint8Array | null
  /** Replaces the payload hash botocore would choose. */
  payloadHash?: string | undefined
  date: Date
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined }
  /** Query mode: X-Amz-Expires. */
  expires?: number | undefined
}

export interface BotocoreSigned {
  canonicalRequest: string
  stringToSign: string
  signature: string
  /** The request URL after signing (query mode: with the X-Amz-* parameters). */
  url: string
  /** The request headers after signing, names as botocore spells them. */
  headers: Array<[string, string]>
}

/** What a server reads from a URL, per Python's urllib: bytes as lower-case hex. */
export interface DecodedUrl {
  path: string
  query: Array<[string, string]>
}

interface Pending {
  resolve: (value: Record<string, unknown>) => void
  reject: (error: Error) => void
}

export class Botocore {
  readonly #child: ChildProcessWithoutNullStreams
  readonly #pending = new Map<number, Pending>()
  readonly #exited: Promise<void>
  #nextId = 1
  #stderr = ''

  constructor() {
    this.#child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] })
    this.#child.stderr.setEncoding('utf8')
    this.#child.stderr.on('data', (chunk: string) => {
      this.#stderr += chunk
    })
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      let answer: Record<string, unknown>
      try {
        answer = JSON.parse(line) as Record<string, unknown>
      } catch {
        this.#stderr += `(stdout) ${line}\n` // not an answer: something in Python printed
        return
      }
      const id = answer.id as number
      const pending = this.#pending.get(id)
      if (pending === undefined) return
      this.#pending.delete(id)
      if (typeof answer.error === 'string') pending.reject(new Error(`botocore failed:\n${answer.error}`))
      else pending.resolve(answer)
    })
    this.#exited = new Promise((resolve) => {
      const fail = (error: Error) => {
        for (const pending of this.#pending.values()) pending.reject(error)
        this.#pending.clear()
        resolve()
      }
      this.#child.on('error', fail)
      this.#child.on('exit', (code, signal) => {
        fail(new Error(`botocore-signer.py exited (code ${code}, signal ${signal}):\n${this.#stderr}`))
      })
    })
  }

  #call(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#child.stdin.write(`${JSON.stringify({ ...message, id })}\n`)
    })
  }

  /** Signs with botocore, returning what it signed (canonical request, string to sign) and sent. */
  async sign(request: BotocoreRequest): Promise<BotocoreSigned> {
    const answer = await this.#call({
      ...request,
      body: request.body === null ? null : Buffer.from(request.body).toString('base64'),
      date: request.date.toISOString(),
    })
    return answer as unknown as BotocoreSigned
  }

  /** The percent-decoded path and query of each URL, as Python's urllib reads them. */
  async decode(urls: readonly string[]): Promise<DecodedUrl[]> {
    return (await this.#call({ op: 'decode', urls })).decoded as DecodedUrl[]
  }

  /** Ends the child process once the requests in flight are answered. */
  async close(): Promise<void> {
    this.#child.stdin.end()
    await this.#exited
  }
}
