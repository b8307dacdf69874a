#!/usr/bin/env python3
"""Attributes perf samples (`perf script` output) to the beacon path's steps: a sample belongs to the
first rule, in order, that any frame of its stack matches (so a step's own callees count as the step).
Prints each step's share of the samples and, given the run's CPU µs per beacon, its µs per beacon.
Usage: beacon_steps.py PERF_SCRIPT_TXT [CPU_US_PER_BEACON]"""
import sys, re
RULES = [
 ("spool writer thread (frame, write, fsync, complete)", ["HitSpool::WriteLoop", "spool-writer"]),
 ("shipper / librdkafka (Kafka produce, acks, checkpoint)", ["SpoolShipper", "KafkaProducer", "Confluent.Kafka", "librdkafka", "rdk:"]),
 ("aggregator + chDB (embedded)", ["Analytics.Pipeline.Aggregation", "Analytics.Pipeline.ClickHouse", "Analytics.Pipeline.Sessions", "libchdb", "SpoolQueue::", "HitBatch", "HitDeduplicator", "HitStore", "ChDb"]),
 ("rate limit + client address", ["RateLimitStep", "ClientRateLimiter", "ClientAddress"]),
 ("validation (site, URL, origin)", ["ValidateStep", "PercentEncoding"]),
 ("consent", ["ConsentStep"]),
 ("cookie read / new ID (identify)", ["IdentifyStep"]),
 ("describe (hit object, hit ID)", ["DescribeStep"]),
 ("UA parse (cached)", ["UserAgentStep"]),
 ("GeoIP", ["GeoStep"]),
 ("URL scrub + source/campaign", ["UrlStep", "SourceStep"]),
 ("other steps", ["IHitStep", "Analytics.Collector.Enrichment"]),
 ("hit encoding", ["HitCodec::Encode"]),
 ("cookie issue (sign, Set-Cookie)", ["IssueCookie", "VisitorCookie::Append", "VisitorCookie::Format", "ResponseCookies"]),
 ("GIF response headers + body", ["WriteGif"]),
 ("query string parse", ["QueryFeature", "QueryHelpers", "QueryCollection", "BeaconEndpoints::Props", "KeyValueAccumulator"]),
 ("Kestrel parse/write + hosting + routing", ["HttpProtocol::ProduceEnd", "HostingApplication::DisposeContext", "HttpProtocol::Reset", "HttpProtocol::WriteSuffix", "ServiceProviderEngineScope"]),
 ("spool append (enqueue, await group)", ["HitSpool::AppendAsync", "HitSpool::Enqueue", "PendingAppend", "KafkaHitSink"]),
 ("pipeline glue + metrics", ["HitPipeline", "CollectorMetrics", "Prometheus", "BeaconEndpoints", "TimeoutPool"]),
 ("thread pool wait/spin", ["LowLevelLifoSemaphore", "sched_yield", "PortableThreadPool+GateThread"]),
 ("socket I/O (send/recv, epoll, loopback)", ["System.Net.Sockets", "SocketAsyncEngine", "epoll", "tcp_", "__sys_sendto", "__sys_recvfrom", "sock_", "ip_", "__libc_send", "__libc_recv", "writev", "readv"]),
 ("Kestrel parse/write + hosting + routing", ["Kestrel", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Http", "System.IO.Pipelines"]),
 ("cookie crypto (libcrypto: HMAC, CSPRNG)", ["libcrypto"]),
 ("thread wake/sleep (futex, scheduler)", ["futex", "__schedule", "finish_task_switch", "try_to_wake_up", "pthread_cond", "__rseq_handle"]),
 ("runtime native (GC, JIT, stubs; unresolved)", ["libcoreclr.so", "libclrjit.so"]),
]
def samples(path):
    stack = []; head = None
    for line in open(path, errors="replace"):
        if not line.strip():
            if head is not None: yield head, stack
            stack = []; head = None
        elif not line.startswith(("\t", " ")):
            head = line
        else:
            stack.append(line.strip())
    if head is not None: yield head, stack
def classify(head, stack):
    text = head + "\n" + "\n".join(stack)
    for name, pats in RULES:
        if any(p in text for p in pats): return name
    return "other"
def main():
    path = sys.argv[1]; per_req_us = float(sys.argv[2]) if len(sys.argv) > 2 else None
    counts = {}; total = 0
    for head, stack in samples(path):
        total += 1
        text = head + "\n" + "\n".join(stack)
        cat = "other"
        for name, pats in RULES:
            if any(p in text for p in pats): cat = name; break
        counts[cat] = counts.get(cat, 0) + 1
    print(f"| where | share | µs/beacon |")
    print(f"|---|---:|---:|")
    for cat, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        us = f"{n/total*per_req_us:.1f}" if per_req_us else ""
        print(f"| {cat} | {n/total*100:.1f} % | {us} |")
    print(f"samples: {total}")
if __name__ == "__main__":
    main()
