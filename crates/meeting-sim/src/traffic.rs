//! The generator behind `/_sim/traffic`: a task that makes [`Traffic`]'s changes at its
//! rate, in small batches under one lock, until it is replaced, stopped, or the
//! simulator stops.

use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng;
use tokio::time::Instant;

use crate::Shared;
use crate::world::Traffic;

/// How often the generator wakes: changes due in between are made together.
const TICK: Duration = Duration::from_millis(5);

/// Starts generating `traffic`, replacing what was generated before.
pub(crate) fn start(shared: &Arc<Shared>, traffic: Traffic) {
    let task = shared.runtime.spawn(run(shared.clone(), traffic));
    let previous = shared.traffic_task().replace(task.abort_handle());
    if let Some(previous) = previous {
        previous.abort();
    }
}

/// Stops generating; whether anything was.
pub(crate) fn stop(shared: &Shared) -> bool {
    let previous = shared.traffic_task().take();
    previous.map(|task| task.abort()).is_some()
}

async fn run(shared: Arc<Shared>, traffic: Traffic) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(traffic.seed);
    let mut stopping = shared.stopping.clone();
    let started = Instant::now();
    let mut made = 0u64;
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stopping.changed() => return,
        }
        let due = (started.elapsed().as_secs_f64() * traffic.rate) as u64;
        if due <= made {
            continue;
        }
        let mut world = shared.world();
        while made < due {
            made += 1;
            let serial = shared.traffic_serial();
            if !world.traffic_step(&mut rng, &traffic, serial) {
                // Nothing in progress: what was due is dropped, not saved up.
                made = due;
            }
        }
    }
}
