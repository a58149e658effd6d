// Builds the web app, then the server (so the binary embeds the fresh
// frontend/dist), starts `examd serve` on a free loopback port with a fresh
// data dir and the embedded defaults (SQLite, in-process Redis, SMS to the
// log), waits for /healthz and returns the teardown that stops it.
//
// Tests find the server through EXAMD_E2E_BASE_URL / EXAMD_E2E_LOG or the
// state file .tmp/e2e-server.json (see e2e/support.ts).
// E2E_SKIP_BUILD=1 reuses the last builds (quicker while editing tests);
// EXAMD_E2E_BIN=/path/to/server runs another server binary (implies no Go build).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { FRONTEND_DIR, REPO_DIR, SERVER_BIN, STATE_FILE, TMP_DIR } from './paths'

export const ADMIN_USERNAME = 'admin'
export const ADMIN_PASSWORD = 'Admin-pass-2026!'

function run(cmd: string, args: string[], cwd: string) {
  console.log(`[e2e] ${path.relative(REPO_DIR, cwd) || '.'}$ ${cmd} ${args.join(' ')}`)
  execFileSync(cmd, args, { cwd, stdio: 'inherit', env: process.env })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

async function waitHealthy(baseURL: string, child: ChildProcess, logPath: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`examd exited (${child.exitCode ?? child.signalCode}) before it was healthy; log:\n${tail(logPath)}`)
    }
    try {
      const res = await fetch(`${baseURL}/healthz`)
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`examd not healthy at ${baseURL}/healthz after ${timeoutMs / 1000}s; log:\n${tail(logPath)}`)
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

export default async function globalSetup() {
  fs.mkdirSync(TMP_DIR, { recursive: true })
  const bin = process.env.EXAMD_E2E_BIN || SERVER_BIN
  if (!process.env.E2E_SKIP_BUILD) {
    run('npm', ['run', 'build'], FRONTEND_DIR)
    if (!process.env.EXAMD_E2E_BIN) run('go', ['build', '-o', SERVER_BIN, './cmd/examd'], REPO_DIR)
  }

  const port = await freePort()
  const baseURL = `http://127.0.0.1:${port}`
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'examd-e2e-'))
  const logDir = path.join(TMP_DIR, 'e2e')
  fs.mkdirSync(logDir, { recursive: true })
  const logPath = path.join(logDir, 'examd.log')
  const logFd = fs.openSync(logPath, 'w')

  const child = spawn(bin, ['serve'], {
    cwd: dataDir,
    env: {
      ...process.env,
      EXAMD_SERVER_ADDR: `127.0.0.1:${port}`,
      EXAMD_SERVER_PUBLIC_URL: baseURL,
      EXAMD_DATA_DIR: dataDir,
      EXAMD_BOOTSTRAP_ADMIN_USERNAME: ADMIN_USERNAME,
      EXAMD_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      // No quiet hours: non-urgent SMS (application received, check passed...)
      // must reach the log whatever the wall clock says when the tests run.
      EXAMD_SMS_QUIET_START: '00:00',
      EXAMD_SMS_QUIET_END: '00:00',
      // booking.spec.ts moves the server's clock to the eve of an exam and
      // past its end (POST /api/v1/testing/clock); sweeps run every second.
      EXAMD_TESTING_CLOCK_CONTROL: 'true',
      // every spec logs candidates in from 127.0.0.1
      EXAMD_SECURITY_SMS_CODES_PER_IP_PER_HOUR: '1000',
      // ... and staff: every spec's staff logins (createStaff logs in twice for
      // the first-login password change) share one address and one server.
      EXAMD_SECURITY_STAFF_LOGINS_PER_IP: '1000',
      EXAMD_BOOKING_SWEEP_INTERVAL: '1s',
      // Every spec logs the bootstrap admin in with the password alone;
      // bureau.spec.ts (its own server) enrols its admin's authenticator and logs in
      // with a code (the embedded default requires one of bureau admins).
      EXAMD_SECURITY_MFA_REQUIRED_ROLES: '',
    },
    stdio: ['ignore', logFd, logFd],
  })
  fs.closeSync(logFd)
  console.log(`[e2e] examd serve (pid ${child.pid}) at ${baseURL}, log ${path.relative(REPO_DIR, logPath)}`)

  try {
    await waitHealthy(baseURL, child, logPath)
  } catch (e) {
    await stop(child)
    throw e
  }

  process.env.EXAMD_E2E_BASE_URL = baseURL
  process.env.EXAMD_E2E_LOG = logPath
  fs.writeFileSync(STATE_FILE, JSON.stringify({ baseURL, logPath, pid: child.pid, dataDir }, null, 2))

  return async () => {
    await stop(child)
    fs.rmSync(dataDir, { recursive: true, force: true })
    fs.rmSync(STATE_FILE, { force: true })
  }
}
