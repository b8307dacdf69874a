# Sizes and query times of the rollups vs raw hits on synthetic data (run: python3 measure_rollups.py 5000000).
# Talks to libchdb.so through ctypes so it needs no build; the schema files are read from schema/.
import ctypes, sys, os, time, glob
lib = ctypes.CDLL(os.path.join(os.environ.get("ANALYTICS_CACHE", ".cache"), "deps/chdb/libchdb.so"))
lib.chdb_connect.restype = ctypes.c_void_p
lib.chdb_connect.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
lib.chdb_query.restype = ctypes.c_void_p
lib.chdb_query.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
lib.chdb_result_error.restype = ctypes.c_char_p
lib.chdb_result_error.argtypes = [ctypes.c_void_p]
lib.chdb_result_buffer.restype = ctypes.c_void_p
lib.chdb_result_buffer.argtypes = [ctypes.c_void_p]
lib.chdb_result_length.restype = ctypes.c_size_t
lib.chdb_result_length.argtypes = [ctypes.c_void_p]
lib.chdb_close_conn.argtypes = [ctypes.c_void_p]
class CH:
    def __init__(self, path):
        argv = (ctypes.c_char_p*2)(b"clickhouse", ("--path="+path).encode())
        self.pp = lib.chdb_connect(2, argv)
        self.c = ctypes.c_void_p.from_address(self.pp).value
    def q(self, sql, fmt="TabSeparated"):
        r = lib.chdb_query(self.c, sql.encode(), fmt.encode())
        e = lib.chdb_result_error(r)
        if e: raise Exception(e.decode()[:2000])
        n = lib.chdb_result_length(r)
        return ctypes.string_at(lib.chdb_result_buffer(r), n).decode() if n else ""
    def close(self): lib.chdb_close_conn(self.pp)
def migrate(ch, db):
    ch.q(f"CREATE DATABASE IF NOT EXISTS {db}")
    for f in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../schema/*.sql"))):
        sql = open(f).read().replace("{database}", db)
        for st in sql.split(";\n"):
            lines=[l for l in st.split("\n") if l.strip() and not l.strip().startswith("--")]
            if lines: ch.q(st.strip().rstrip(";"))
import shutil; shutil.rmtree("/tmp/measure-rollups", ignore_errors=True)
ch = CH("/tmp/measure-rollups"); db="m"
migrate(ch, db); migrate(ch, db)
N=int(sys.argv[1])
t=time.time()
# visitors: 300k, zipf-ish repeat; paths: 3000 per site zipf-ish
ch.q(f"""INSERT INTO {db}.hits (site_id,timestamp,hit_id,visitor_id,kind,hostname,path,source,channel,country,region,city,browser,browser_version,os,os_version,device_type,is_bot,event_name,link_campaign,link_target)
SELECT 's'||toString(number % 3), toDateTime64('2026-10-01 00:00:00',3,'UTC') + toIntervalSecond(rand(1) % (30*86400)),
 generateUUIDv4(number), reinterpretAsUUID(reverse(toFixedString(reinterpret(toUInt128(intHash64(toUInt64(pow(rand(2)/4294967296.0, 3)*300000)+1000000000)), 'FixedString(16)'),16))),
 multiIf(rand(3)%10<8,1, rand(3)%10<9,2,3), 'www.example.com', '/p/'||toString(toUInt32(pow(rand(4)/4294967296.0,4)*3000)),
 ['','google.com','bing.com','news.ycombinator.com','twitter.com','newsletter'][rand(5)%6+1], ['direct','search','search','referral','social','email'][rand(5)%6+1],
 ['US','DE','FR','GB','IN','BR','JP'][rand(6)%7+1], 'R'||toString(rand(6)%20), 'C'||toString(toUInt32(pow(rand(7)/4294967296.0,3)*500)),
 ['Chrome','Firefox','Safari','Edge'][rand(8)%4+1], toString(100+rand(8)%30), ['Windows','macOS','Linux','iOS','Android'][rand(9)%5+1], toString(rand(9)%15), ['desktop','mobile','tablet'][rand(10)%3+1],
 rand(11)%50=0, if(rand(3)%10=8,'signup',''), if(rand(3)%10=9,'nov-news',''), if(rand(3)%10=9,'https://x.example/'||toString(rand(12)%20),'')
FROM numbers({N})""")
print("insert hits", time.time()-t)
t=time.time()
ch.q(f"""INSERT INTO {db}.sessions (site_id,visitor_id,session_id,sign,version,started_at,ended_at,duration,hits,pageviews,is_bounce,hostname,entry_page,exit_page,source,channel,country,region,city,browser,browser_version,os,os_version,device_type,is_bot)
SELECT site_id, visitor_id, generateUUIDv4(), 1, 1, min(timestamp), max(timestamp), toUInt32(max(timestamp)-min(timestamp)), count(), countIf(kind=1), countIf(kind=1)=1, any(hostname), argMin(path,timestamp), argMax(path,timestamp), any(source),any(channel),any(country),any(region),any(city),any(browser),any(browser_version),any(os),any(os_version),any(device_type), any(is_bot)
FROM {db}.hits GROUP BY site_id, visitor_id, toStartOfInterval(timestamp, INTERVAL 2 HOUR)""")
print("insert sessions", time.time()-t)
ch.q(f"OPTIMIZE TABLE {db}.hits FINAL")
for tb in ["sessions","rollup_site_hourly","rollup_pages_daily","rollup_sources_daily","rollup_locations_daily","rollup_devices_daily","rollup_link_clicks_daily","rollup_events_daily","rollup_bots_daily"]:
    ch.q(f"OPTIMIZE TABLE {db}.{tb} FINAL")
print(ch.q(f"SELECT table, sum(rows), formatReadableSize(sum(bytes_on_disk)) FROM system.parts WHERE database='{db}' AND active GROUP BY table ORDER BY sum(bytes_on_disk) DESC"))
print(ch.q(f"SELECT uniqExact(visitor_id), uniqExact(path) FROM {db}.hits"))
def timed(label, sql):
    t=time.time(); r=ch.q(sql); print(label, round((time.time()-t)*1000), "ms", r[:200].replace("\n"," | "))
timed("raw top pages month", f"SELECT path, count(), uniq(visitor_id) FROM {db}.hits WHERE site_id='s1' AND kind=1 AND NOT is_bot GROUP BY path ORDER BY 2 DESC LIMIT 5")
timed("rollup top pages month", f"SELECT path, sum(pageviews), uniqMerge(visitors) FROM {db}.rollup_pages_daily WHERE site_id='s1' GROUP BY path ORDER BY 2 DESC LIMIT 5")
timed("raw daily", f"SELECT toDate(timestamp) d, countIf(kind=1), uniq(visitor_id) FROM {db}.hits WHERE site_id='s1' AND NOT is_bot GROUP BY d ORDER BY d LIMIT 3")
timed("rollup daily", f"SELECT toDate(hour) d, sum(pageviews), uniqMerge(visitors), sum(visits) FROM {db}.rollup_site_hourly WHERE site_id='s1' GROUP BY d ORDER BY d LIMIT 3")
timed("raw month visitors", f"SELECT uniq(visitor_id) FROM {db}.hits WHERE site_id='s1' AND NOT is_bot")
timed("rollup month visitors", f"SELECT uniqMerge(visitors) FROM {db}.rollup_site_hourly WHERE site_id='s1'")
ch.close()
