//! The enterprise event push: a receiver on a loopback port, registered and enabled
//! (the service's handshake reaches it), then the events of a meeting scheduled here.
//! Against the real service, set `MEETING_WEBHOOK_URL` to the public HTTPS URL that
//! forwards to the printed port (a TLS proxy), and `MEETING_WEBHOOK_KEY`.

mod support;

use meeting::NewMeeting;
use meeting::webhook::{Receiver, Verifier, WebhookSetup};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = support::connect().await?;
    let key = std::env::var("MEETING_WEBHOOK_KEY").unwrap_or_else(|_| "example-key".into());
    let subscriber = "12345678";

    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let receiver = Receiver::new(Verifier::new(subscriber, key.clone())?);
    let app = meeting::webhook::axum::router(receiver, move |event| {
        let events = events.clone();
        async move { events.send(event).map_err(|_| "the example has stopped") }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let local = format!("http://{}/meeting-events", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = std::env::var("MEETING_WEBHOOK_URL").unwrap_or(local);

    client
        .set_webhook(&WebhookSetup::new(&url, subscriber, key))
        .await?;
    let config = client.webhook_config(&Default::default()).await?;
    client.enable_webhook(&config.id).await?;
    println!("pushes to {url} enabled (configuration {})", config.id);

    let created = client
        .create_meeting(&NewMeeting::new("Webhook example"))
        .await?;
    created.conference().cancel().await?;
    for _ in 0..2 {
        match received.recv().await {
            Some(event) => println!("pushed: {event}"),
            None => break,
        }
    }
    client.delete_webhook(&config.id).await?;
    Ok(())
}
