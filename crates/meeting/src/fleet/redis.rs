//! What the fleet keeps in Redis, and the scripts that change it atomically. Every key
//! of one enterprise shares the hash tag `{enterprise}`, so a Redis Cluster keeps them
//! in one slot and the scripts may touch several.
//!
//! - `lease:<meeting>` = `<watcher>:<fence>`, with the lease's expiry: who watches.
//! - `fence`: the counter fencing tokens come from.
//! - `epoch`: when this Redis first served the fleet (its `TIME`); for one lease after
//!   it, only a meeting's former holder may claim it (a Redis that lost its data).
//! - `members`: watchers by their last heartbeat, for the fair share.
//! - `published`: per meeting, `<token>|<seq>` of the last entry published.
//! - `state:<meeting>`: the meeting as the published entries describe it, one field per
//!   part (`info`, `status`, `speakers`, `p:<participant>`, `w:<waiting>`).
//! - `skip:<meeting>`: a meeting no watcher should claim for a while, with the reason:
//!   it refused its host password (10 min), it ended (two discoveries; a start clears
//!   it), it was not in progress yet (1 s, doubling), or its stream failed (5 s,
//!   doubling).
//! - `events`: the stream.

use std::time::Duration;

use redis::aio::ConnectionManager;

/// A meeting the claim script gave a watcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claim {
    /// Its index among the candidates.
    pub index: usize,
    /// The lease's fencing token.
    pub fence: u64,
    /// Another watcher published it last and did not give it back: it died or let its
    /// lease lapse.
    pub taken_over: bool,
}

/// What the claim and renewal scripts start with: Redis's clock in ms (`now`), the
/// lease (`ARGV[2]`), and whether this Redis first served the fleet less than a lease
/// ago (`young`; the epoch, `KEYS[1]`, set when absent). An epoch ahead of the clock
/// (a failover to a server whose clock is behind, a clock stepped back) means the data
/// was kept: not young, and the epoch moves back a lease so that it stays so.
const EPOCH: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
local epoch = tonumber(redis.call('GET', KEYS[1]) or '0')
if epoch == 0 then epoch = now; redis.call('SET', KEYS[1], now)
elseif epoch > now then epoch = now - lease; redis.call('SET', KEYS[1], epoch) end
local young = now - epoch < lease
";

/// Deletes a meeting's skip if an end left it (its reason starts with one of ARGV).
const UNSKIP: &str = r"
local reason = redis.call('GET', KEYS[1])
if not reason then return 0 end
for i = 1, #ARGV do
  if string.sub(reason, 1, #ARGV[i]) == ARGV[i] then return redis.call('DEL', KEYS[1]) end
end
return 0
";

/// Claims meetings for a watcher, up to its fair share of the meetings known among the
/// live members (counted here, so that a member's clean stop shows at the next claim).
/// A claim is a takeover when the meeting's publication mark is another watcher's: its
/// holder let the lease lapse or died (a release forgets the mark).
/// KEYS: epoch, fence, members, published, then per meeting its lease and skip keys.
/// ARGV: watcher, lease ms, meetings known, meetings held, then per meeting 1 if it held
/// the meeting before (a Redis that lost its data), else 0, and the meeting. Returns
/// [live members, then per claim its index, fence and 1 for a takeover, else 0].
const CLAIM: &str = r"
local alive = math.max(1, redis.call('ZCOUNT', KEYS[3], now - lease, '+inf'))
local fair = math.max(1, math.ceil(tonumber(ARGV[3]) / alive))
local most = fair - tonumber(ARGV[4])
local claimed = { alive }
local mine = ARGV[1] .. ':'
local n = (#KEYS - 4) / 2
for i = 1, n do
  if #claimed > 3 * most then break end
  local lease_key = KEYS[3 + 2 * i]
  local skip_key = KEYS[4 + 2 * i]
  local own = ARGV[3 + 2 * i] == '1'
  if (own or not young) and redis.call('EXISTS', lease_key) == 0
      and redis.call('EXISTS', skip_key) == 0 then
    local fence = redis.call('INCR', KEYS[2])
    redis.call('SET', lease_key, ARGV[1] .. ':' .. fence, 'PX', lease)
    local mark = redis.call('HGET', KEYS[4], ARGV[4 + 2 * i])
    claimed[#claimed + 1] = i
    claimed[#claimed + 1] = fence
    claimed[#claimed + 1] = (mark and string.sub(mark, 1, #mine) ~= mine) and 1 or 0
  end
end
return claimed
";

/// Renews a watcher's leases and heartbeat. KEYS: epoch, members, then the leases.
/// ARGV: watcher, lease ms, then the tokens. Returns [live members, then per lease 1
/// renewed, 2 set again (this Redis had lost it, within its first lease), 0 lost].
const RENEW: &str = r"
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - lease)
local out = { redis.call('ZCARD', KEYS[2]) }
for i = 3, #KEYS do
  local token = ARGV[i]
  local held = redis.call('GET', KEYS[i])
  if held == token then
    redis.call('PEXPIRE', KEYS[i], lease)
    out[#out + 1] = 1
  elseif not held and young then
    redis.call('SET', KEYS[i], token, 'PX', lease)
    out[#out + 1] = 2
  else
    out[#out + 1] = 0
  end
end
return out
";

/// Releases leases a watcher holds and forgets their publication marks. KEYS: members,
/// published, then the leases. ARGV: watcher, 1 to leave the members, then per lease
/// its token and meeting.
const RELEASE: &str = r"
if ARGV[2] == '1' then redis.call('ZREM', KEYS[1], ARGV[1]) end
local released = 0
for i = 3, #KEYS do
  local j = 3 + (i - 3) * 2
  if redis.call('GET', KEYS[i]) == ARGV[j] then
    redis.call('DEL', KEYS[i])
    redis.call('HDEL', KEYS[2], ARGV[j + 1])
    released = released + 1
  end
end
return released
";

/// Publishes entries of one meeting, only for the lease's holder and never twice.
/// KEYS: lease, published, stream, state. ARGV: token, meeting, first seq, max length,
/// then per entry: event, connection, version, state op (set/del/clear/-), field, value.
/// Returns the entries added, or -1 when the lease is not the token's.
const PUBLISH: &str = r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local first = tonumber(ARGV[3])
local done = 0
local mark = redis.call('HGET', KEYS[2], ARGV[2])
if mark then
  local token, seq = string.match(mark, '^(.*)|(%d+)$')
  if token == ARGV[1] then done = tonumber(seq) end
end
local n = (#ARGV - 4) / 6
local added = 0
for i = 0, n - 1 do
  local seq = first + i
  if seq > done then
    local b = 5 + i * 6
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*',
      'meeting', ARGV[2], 'connection', ARGV[b + 1], 'version', ARGV[b + 2],
      'seq', ARGV[1] .. '|' .. seq, 'event', ARGV[b])
    local op = ARGV[b + 3]
    if op == 'set' then redis.call('HSET', KEYS[4], ARGV[b + 4], ARGV[b + 5])
    elseif op == 'del' then redis.call('HDEL', KEYS[4], ARGV[b + 4])
    elseif op == 'clear' then redis.call('DEL', KEYS[4]) end
    added = added + 1
  end
end
local last = first + n - 1
if last > done then redis.call('HSET', KEYS[2], ARGV[2], ARGV[1] .. '|' .. last) end
return added
";

/// The keys of one enterprise's fleet.
#[derive(Clone, Debug)]
pub(crate) struct Keys {
    base: String,
}

impl Keys {
    pub fn new(prefix: &str, enterprise: &str) -> Self {
        Self {
            base: format!("{prefix}fleet:{{{enterprise}}}:"),
        }
    }
    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.base)
    }
    pub fn lease(&self, meeting: &str) -> String {
        self.key(&format!("lease:{meeting}"))
    }
    pub fn skip(&self, meeting: &str) -> String {
        self.key(&format!("skip:{meeting}"))
    }
    pub fn state(&self, meeting: &str) -> String {
        self.key(&format!("state:{meeting}"))
    }
    pub fn stream(&self) -> String {
        self.key("events")
    }
}

/// The scripts, loaded once per watcher (invoked by their hash, sent again when a
/// restarted Redis no longer knows them).
pub(crate) struct Store {
    connection: ConnectionManager,
    keys: Keys,
    claim: redis::Script,
    renew: redis::Script,
    release: redis::Script,
    publish: redis::Script,
    unskip: redis::Script,
}

/// What a publication came to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Published {
    /// Added this many (fewer than sent when some were already there).
    Added(i64),
    /// The lease is not this watcher's any more: nothing was added.
    Fenced,
}

/// One entry to publish.
pub(crate) struct Entry {
    pub event: String,
    pub connection: String,
    pub version: String,
    pub op: StateOp,
}

/// How an entry changes the published state.
pub(crate) enum StateOp {
    None,
    Set(String, String),
    Delete(String),
    Clear,
}

impl Store {
    pub async fn connect(
        client: redis::Client,
        keys: Keys,
        timeout: Duration,
    ) -> redis::RedisResult<Self> {
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_with_config(client, config).await?;
        Ok(Self {
            connection,
            keys,
            claim: redis::Script::new(&format!("{EPOCH}{CLAIM}")),
            renew: redis::Script::new(&format!("{EPOCH}{RENEW}")),
            release: redis::Script::new(RELEASE),
            publish: redis::Script::new(PUBLISH),
            unskip: redis::Script::new(UNSKIP),
        })
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    fn fleet_key(&self, name: &str) -> String {
        self.keys.key(name)
    }

    /// Claims `candidates` (meeting, held before) up to the fair share of `known`
    /// meetings for a watcher holding `held`: the live members, and the claims.
    pub async fn claim(
        &self,
        watcher: &str,
        lease: Duration,
        (known, held): (usize, usize),
        candidates: &[(&str, bool)],
    ) -> redis::RedisResult<(usize, Vec<Claim>)> {
        let mut invocation = self.claim.prepare_invoke();
        invocation
            .key(self.fleet_key("epoch"))
            .key(self.fleet_key("fence"))
            .key(self.fleet_key("members"))
            .key(self.fleet_key("published"));
        for (meeting, _) in candidates {
            invocation
                .key(self.keys.lease(meeting))
                .key(self.keys.skip(meeting));
        }
        invocation.arg(watcher).arg(ms(lease)).arg(known).arg(held);
        for (meeting, own) in candidates {
            invocation.arg(u8::from(*own)).arg(*meeting);
        }
        let flat: Vec<u64> = invocation
            .invoke_async(&mut self.connection.clone())
            .await?;
        let alive = flat.first().and_then(|n| usize::try_from(*n).ok());
        let claimed = flat
            .get(1..)
            .unwrap_or_default()
            .chunks_exact(3)
            .filter_map(|claim| {
                Some(Claim {
                    index: usize::try_from(claim[0]).ok()?.checked_sub(1)?,
                    fence: claim[1],
                    taken_over: claim[2] == 1,
                })
            })
            .collect();
        Ok((alive.unwrap_or(1).max(1), claimed))
    }

    /// Renews `tokens` (meeting, token): the live members and, per lease, 1 renewed, 2
    /// set again, 0 lost.
    pub async fn renew(
        &self,
        watcher: &str,
        lease: Duration,
        tokens: &[(&str, &str)],
    ) -> redis::RedisResult<(usize, Vec<u8>)> {
        let mut invocation = self.renew.prepare_invoke();
        invocation
            .key(self.fleet_key("epoch"))
            .key(self.fleet_key("members"));
        for (meeting, _) in tokens {
            invocation.key(self.keys.lease(meeting));
        }
        invocation.arg(watcher).arg(ms(lease));
        for (_, token) in tokens {
            invocation.arg(*token);
        }
        let out: Vec<u64> = invocation
            .invoke_async(&mut self.connection.clone())
            .await?;
        let members = out.first().copied().unwrap_or(1).max(1);
        let statuses = out
            .iter()
            .skip(1)
            .map(|s| u8::try_from(*s).unwrap_or(0))
            .collect();
        Ok((usize::try_from(members).unwrap_or(1), statuses))
    }

    /// Releases `tokens` (meeting, token); with `leave`, the watcher leaves the members.
    pub async fn release(
        &self,
        watcher: &str,
        leave: bool,
        tokens: &[(&str, &str)],
    ) -> redis::RedisResult<i64> {
        let mut invocation = self.release.prepare_invoke();
        invocation
            .key(self.fleet_key("members"))
            .key(self.fleet_key("published"));
        for (meeting, _) in tokens {
            invocation.key(self.keys.lease(meeting));
        }
        invocation.arg(watcher).arg(u8::from(leave));
        for (meeting, token) in tokens {
            invocation.arg(*token).arg(*meeting);
        }
        invocation.invoke_async(&mut self.connection.clone()).await
    }

    /// Publishes `entries` of `meeting`, numbered from `first`, under `token`.
    pub async fn publish(
        &self,
        meeting: &str,
        token: &str,
        first: u64,
        max_len: usize,
        entries: &[Entry],
    ) -> redis::RedisResult<Published> {
        let mut invocation = self.publish.prepare_invoke();
        invocation
            .key(self.keys.lease(meeting))
            .key(self.fleet_key("published"))
            .key(self.keys.stream())
            .key(self.keys.state(meeting));
        invocation.arg(token).arg(meeting).arg(first).arg(max_len);
        for entry in entries {
            invocation
                .arg(&entry.event)
                .arg(&entry.connection)
                .arg(&entry.version);
            match &entry.op {
                StateOp::None => invocation.arg("-").arg("").arg(""),
                StateOp::Set(field, value) => invocation.arg("set").arg(field).arg(value),
                StateOp::Delete(field) => invocation.arg("del").arg(field).arg(""),
                StateOp::Clear => invocation.arg("clear").arg("").arg(""),
            };
        }
        let added: i64 = invocation
            .invoke_async(&mut self.connection.clone())
            .await?;
        Ok(if added < 0 {
            Published::Fenced
        } else {
            Published::Added(added)
        })
    }

    /// The published state of `meeting`, field by field.
    pub async fn state(&self, meeting: &str) -> redis::RedisResult<Vec<(String, String)>> {
        redis::cmd("HGETALL")
            .arg(self.keys.state(meeting))
            .query_async(&mut self.connection.clone())
            .await
    }

    /// Clears the skip that an end or a "not in progress" left on `meeting` (not a
    /// refusal's, nor a failure's): it started again.
    pub async fn unskip_ended(&self, meeting: &str) -> redis::RedisResult<bool> {
        let deleted: i64 = self
            .unskip
            .key(self.keys.skip(meeting))
            .arg("ended")
            .arg("not in progress")
            .invoke_async(&mut self.connection.clone())
            .await?;
        Ok(deleted > 0)
    }

    /// Marks `meeting` as not to be claimed for `ttl`, saying why.
    pub async fn skip(&self, meeting: &str, reason: &str, ttl: Duration) -> redis::RedisResult<()> {
        redis::cmd("SET")
            .arg(self.keys.skip(meeting))
            .arg(reason)
            .arg("PX")
            .arg(ms(ttl))
            .query_async(&mut self.connection.clone())
            .await
    }
}

/// Milliseconds for `PX` (at least 1).
fn ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}
