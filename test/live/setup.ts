// Live tests start real servers and run Terraform: give each test up to 10 minutes.
jest.setTimeout(600_000);
