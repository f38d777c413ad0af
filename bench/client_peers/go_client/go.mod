module aio/bench/go_client

go 1.19
