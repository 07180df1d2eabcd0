//! The preview's connections: each closed after a while without a byte in either direction, and
//! at most [`MAX_CONNECTIONS`] open at once, so idle or trickling clients (5,000 of them, or one
//! that sends a header a byte a minute) cannot hold the server's sockets and memory.
//!
//! The live-reload event stream writes a keep-alive comment every 15 seconds, well within
//! [`IDLE_TIMEOUT`], so open tabs stay connected.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// A connection with no traffic for this long is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections open at once; the next waits in the kernel's backlog until one closes.
pub const MAX_CONNECTIONS: usize = 512;

/// A listener whose connections time out when idle and are counted against a limit.
pub struct Guarded {
    listener: TcpListener,
    slots: Arc<Semaphore>,
    idle_timeout: Duration,
}

impl Guarded {
    pub fn new(listener: TcpListener, max_connections: usize, idle_timeout: Duration) -> Self {
        Guarded {
            listener,
            slots: Arc::new(Semaphore::new(max_connections)),
            idle_timeout,
        }
    }
}

impl axum::serve::Listener for Guarded {
    type Io = IdleTimeout;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (IdleTimeout, SocketAddr) {
        let permit = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        loop {
            match self.listener.accept().await {
                Ok((stream, address)) => {
                    let _ = stream.set_nodelay(true);
                    return (IdleTimeout::new(stream, permit, self.idle_timeout), address);
                }
                // Out of file descriptors and the like: wait rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// A TCP stream that fails with `TimedOut` once it has seen no traffic for its timeout, and that
/// frees its slot when dropped.
pub struct IdleTimeout {
    stream: TcpStream,
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
    _slot: OwnedSemaphorePermit,
}

impl IdleTimeout {
    fn new(stream: TcpStream, slot: OwnedSemaphorePermit, timeout: Duration) -> Self {
        IdleTimeout {
            stream,
            timeout,
            deadline: Box::pin(tokio::time::sleep(timeout)),
            _slot: slot,
        }
    }

    fn touched(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + self.timeout);
    }

    /// `Ready(error)` once the deadline has passed: the caller then gives up on the connection.
    fn check_deadline(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                "connection idle for too long",
            )),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for IdleTimeout {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    this.touched();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.check_deadline(cx).map(Err),
        }
    }
}

impl AsyncWrite for IdleTimeout {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write(cx, data) {
            Poll::Ready(result) => {
                if matches!(result, Ok(written) if written > 0) {
                    this.touched();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.check_deadline(cx).map(Err),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write_vectored(cx, bufs) {
            Poll::Ready(result) => {
                if matches!(result, Ok(written) if written > 0) {
                    this.touched();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.check_deadline(cx).map(Err),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::serve::Listener as _;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn a_silent_connection_times_out_and_a_talking_one_does_not() {
        runtime().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let mut guarded = Guarded::new(listener, 8, Duration::from_millis(300));
            let _silent = TcpStream::connect(address).await.unwrap();
            let (mut server_side, _) = guarded.accept().await;
            let started = std::time::Instant::now();
            let mut buf = [0u8; 16];
            let error = server_side.read(&mut buf).await.unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::TimedOut);
            assert!(started.elapsed() < Duration::from_secs(5));

            let mut talking = TcpStream::connect(address).await.unwrap();
            let (mut server_side, _) = guarded.accept().await;
            for _ in 0..4 {
                tokio::time::sleep(Duration::from_millis(150)).await;
                talking.write_all(b"x").await.unwrap();
                assert_eq!(server_side.read(&mut buf).await.unwrap(), 1);
            }
        });
    }

    #[test]
    fn connections_beyond_the_limit_wait_for_a_slot() {
        runtime().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let mut guarded = Guarded::new(listener, 2, IDLE_TIMEOUT);
            let _clients: Vec<TcpStream> = vec![
                TcpStream::connect(address).await.unwrap(),
                TcpStream::connect(address).await.unwrap(),
                TcpStream::connect(address).await.unwrap(),
            ];
            let first = guarded.accept().await;
            let _second = guarded.accept().await;
            let third = tokio::time::timeout(Duration::from_millis(200), guarded.accept()).await;
            assert!(
                third.is_err(),
                "a third connection was taken with two slots"
            );
            drop(first);
            let third = tokio::time::timeout(Duration::from_secs(2), guarded.accept()).await;
            assert!(third.is_ok(), "a freed slot was not reused");
        });
    }
}
