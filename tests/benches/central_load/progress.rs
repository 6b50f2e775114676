//! Progress lines on stderr while a long step runs (the whole bench takes minutes). Deliberately
//! not here: the figures (stdout, at the end of each scenario).

use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Prints a line now.
pub fn say(line: impl AsRef<str>) {
    eprintln!("  … {}", line.as_ref());
}

/// Prints `line()` every `period` until stopped.
#[derive(Debug)]
pub struct Ticker {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Ticker {
    /// Starts printing.
    pub fn every(period: Duration, line: impl Fn() -> String + Send + 'static) -> Ticker {
        let (stop, mut stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.tick().await; // the first tick is immediate
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = tick.tick() => say(line()),
                }
            }
        });
        Ticker {
            stop: Some(stop),
            task,
        }
    }

    /// Stops printing.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}
