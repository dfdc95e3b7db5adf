"""Route handlers: parse, authorize, make one service call, return a wire schema."""
