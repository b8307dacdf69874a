-- What each batch's write is made of, recorded before its first insert: the token its inserts carry and the
-- positions of the hits it leaves out (found stored already: resent copies). One INSERT into `hits` commits a
-- part in `hits` and one in each view's table, one after another; a process killed between them leaves the
-- batch in some tables and not in others. The replay must then insert exactly the same rows under the same
-- token, so each table drops what it holds and takes what it lacks. Found by the hit ID instead, the batch's
-- own hits already in `stored_hit_ids` would be left out as copies, and the rollups that missed them would
-- never get them. Holds no visitor ID; rows expire after 7 days, like `batch_ledger`.
CREATE TABLE IF NOT EXISTS {database}.batch_writes
(
    token String,
    write_token String,
    left_out Array(UInt32),
    begun_at DateTime('UTC') DEFAULT now()
)
ENGINE = MergeTree
ORDER BY token
TTL begun_at + toIntervalDay(7);
