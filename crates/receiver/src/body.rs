//! Reading request bodies with a size limit.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Body;

/// After the limit is hit, keep reading (and discarding) up to this much more so the client
/// finishes sending and can read the 413; closing with unread data would make the kernel
/// reset the connection and the client would see a network error instead.
const DRAIN_MAX_BYTES: usize = 64 * 1024 * 1024;
const DRAIN_MAX_TIME: Duration = Duration::from_secs(5);

pub struct ReceivedBody {
    /// The body, or its first `limit` bytes when truncated.
    pub bytes: Vec<u8>,
    pub truncated: bool,
    /// False when the client was still sending after the drain allowance; the connection
    /// should then be closed after answering.
    pub fully_read: bool,
}

/// Reads the body, keeping at most `limit` bytes.
pub async fn read_limited<B>(mut body: B, limit: usize) -> Result<ReceivedBody, B::Error>
where
    B: Body<Data = Bytes> + Unpin,
{
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue; // trailers carry no body bytes
        };
        let room = limit - bytes.len();
        if data.len() > room {
            bytes.extend_from_slice(&data[..room]);
            let fully_read = drain(&mut body, data.len() - room).await;
            return Ok(ReceivedBody {
                bytes,
                truncated: true,
                fully_read,
            });
        }
        bytes.extend_from_slice(&data);
    }
    Ok(ReceivedBody {
        bytes,
        truncated: false,
        fully_read: true,
    })
}

/// Discards the rest of the body within the drain allowance; true when it reached the end.
async fn drain<B>(body: &mut B, already_over: usize) -> bool
where
    B: Body<Data = Bytes> + Unpin,
{
    let discard = async {
        let mut discarded = already_over;
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else { return false };
            discarded += frame.data_ref().map_or(0, Bytes::len);
            if discarded > DRAIN_MAX_BYTES {
                return false;
            }
        }
        true
    };
    tokio::time::timeout(DRAIN_MAX_TIME, discard)
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::Full;

    #[tokio::test]
    async fn keeps_small_bodies_whole() {
        let body = read_limited(Full::new(Bytes::from_static(b"hello")), 5)
            .await
            .expect("infallible");
        assert_eq!(body.bytes, b"hello");
        assert!(!body.truncated && body.fully_read);
    }

    #[tokio::test]
    async fn truncates_at_the_limit() {
        let body = read_limited(Full::new(Bytes::from_static(b"hello world")), 4)
            .await
            .expect("infallible");
        assert_eq!(body.bytes, b"hell");
        assert!(body.truncated && body.fully_read);
    }
}
