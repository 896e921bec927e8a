import { DEFAULT_SHARD_SIZE, DEFAULT_TOP, DEFAULT_WORKERS } from './options.js';
import { SHUTDOWN_TIMEOUT_MS } from './components.js';

export const HELP = `Usage: npm start -- [options]
       node apps/demo/dist/main.js [options]

A document-analysis pipeline on AgentOpera's embedded LocalAgentEngine (no network, no model
keys). A coordinator agent splits the input files into shards and publishes each shard on its
own channel; one worker agent per shard is built lazily on its first message and counts lines,
words and terms; results go to a channel that an aggregator and a progress monitor subscribe
to; the coordinator asks the aggregator for the final report by RPC.

Options:
  --input DIR        Analyse every file under DIR (binary files and files over 2 MiB are
                     skipped). Default: this repository's own .md and .ts files.
                     node_modules, dist, .git, .nx and tmp folders are always skipped.
  --queue KIND       The engine's message queue:
                       fifo        AsyncQueue, unbounded, first in first out (default)
                       priority    PriorityAsyncQueue: RPCs first, then shard results, then
                                   shard assignments; first in first out among equals
                       bounded:N   AsyncQueue(N): senders wait while N messages are queued
  --tracer KIND      OpenTelemetry tracing of the engine's spans:
                       none        no tracing (default)
                       console     print every span to stdout as it ends
                       otlp        send spans over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT
                                   (default http://localhost:4318); an unreachable collector
                                   gives a warning, and flushing gives up after ${SHUTDOWN_TIMEOUT_MS} ms
  --timeout MS       Cancel the run after MS milliseconds (exit code 124).
  --state-dir DIR    Keep every agent's state in DIR, one file per agent (FileStateStore;
                     DIR is created if missing). Each agent loads its state when it is
                     activated and saves it when it is deactivated and when the engine
                     stops, so a second run resumes: the aggregator's totals cover every
                     run, and the report says for how many agents state was loaded.
  --max-agents N     Keep at most N agents active (the engine's maxActiveAgents): before
                     activating one more, the engine deactivates the least recently used
                     idle agent, saving its state; its next message activates it again.
                     Without --state-dir, state is kept in memory for the run.
  --shard-size N     Files per shard, i.e. per worker agent (default ${DEFAULT_SHARD_SIZE}).
  --top N            Terms shown per file type (default ${DEFAULT_TOP}).
  --engine KIND      local: the embedded LocalAgentEngine, one process (default).
                     nats: NatsAgentEngine; the worker agents run in --workers child
                     processes, on the server at NATS_URL or on a nats-server (from the
                     PATH) that the demo starts on a free port with a temporary store and
                     stops at the end. The report adds what each process hosted and handled.
                     --queue, --state-dir and --max-agents are for local only.
  --workers N        Worker processes for --engine nats (default ${DEFAULT_WORKERS}, at most 64).
  -h, --help         Show this help.

Workers are serial agents: each handles one message at a time, in the order they arrived.

While it runs, a progress line on stderr shows shards and files done, messages processed and
agents alive. The report on stdout gives files, lines and words with the top terms per file
type, messages sent and published, agents activated and deactivated, the state loaded and
saved (with --state-dir or --max-agents) and the elapsed time.

Ctrl-C cancels the run cleanly: every pending send and handler sees the cancellation, the
engine stops, and the demo prints what was done.

Exit codes: 0 done, 1 unexpected error, 2 bad option, value, input folder or state folder,
124 timed out (--timeout), 130 cancelled by Ctrl-C.

Examples:
  npm start
  npm start -- --input ./docs --queue priority --top 10
  npm start -- --queue bounded:4 --tracer console --timeout 5000
  npm start -- --state-dir tmp/demo-state      # run twice: the second run resumes
  npm start -- --state-dir tmp/demo-state --max-agents 5 --shard-size 2
  npm start -- --engine nats --workers 3       # the workers in 3 processes on NATS
`;
