module example.com/orders

go 1.21

require github.com/aws/aws-lambda-go v1.41.0

require (
	golang.org/x/text v0.3.2 // indirect
	golang.org/x/net v0.17.0
)

replace example.com/old => ./old
