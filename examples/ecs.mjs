// Amazon ECS with fetch and awsig: a cluster, a task definition registered and described, listing,
// clean-up. AWS JSON 1.1 protocol (X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>).
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Operations.html
//
//   AWS_REGION=eu-west-1 node examples/ecs.mjs
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); set
// AWS_ENDPOINT_URL to use a local emulator instead of AWS.
import { createClient } from 'awsig/client'
import { fromEnv } from 'awsig/credentials'
import { awsJson } from 'awsig/protocols'

const region = process.env.AWS_REGION ?? 'us-east-1'
const endpoint = process.env.AWS_ENDPOINT_URL ?? `https://ecs.${region}.amazonaws.com`
const client = createClient({ credentials: fromEnv(), region, service: 'ecs' })

async function ecs(operation, input) {
  const target = `AmazonEC2ContainerServiceV20141113.${operation}`
  const response = await client.fetch(endpoint, awsJson(target, input, { version: '1.1' }))
  return response.json()
}

const suffix = Date.now().toString(36)
const { cluster } = await ecs('CreateCluster', {
  clusterName: `awsig-example-${suffix}`,
  tags: [{ key: 'created-by', value: 'awsig' }],
})
console.log(`created cluster ${cluster.clusterArn}`)

let taskDefinitionArn
try {
  const { taskDefinition } = await ecs('RegisterTaskDefinition', {
    family: `awsig-example-${suffix}`,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'web',
        image: 'public.ecr.aws/nginx/nginx:latest',
        essential: true,
        portMappings: [{ containerPort: 80, protocol: 'tcp' }],
        environment: [{ name: 'GREETING', value: 'signed by awsig' }],
      },
    ],
  })
  taskDefinitionArn = taskDefinition.taskDefinitionArn
  console.log(`registered ${taskDefinition.family}:${taskDefinition.revision}`)

  const { taskDefinitionArns } = await ecs('ListTaskDefinitions', { familyPrefix: `awsig-example-${suffix}` })
  console.log(`ListTaskDefinitions: ${taskDefinitionArns.length} revision(s)`)

  const { clusters } = await ecs('DescribeClusters', { clusters: [cluster.clusterArn], include: ['TAGS'] })
  const tags = clusters[0].tags?.map((t) => `${t.key}=${t.value}`).join(', ')
  console.log(`DescribeClusters: ${clusters[0].status}, tags ${tags}`)
} finally {
  if (taskDefinitionArn !== undefined) await ecs('DeregisterTaskDefinition', { taskDefinition: taskDefinitionArn })
  await ecs('DeleteCluster', { cluster: cluster.clusterArn })
  console.log('deregistered the task definition and deleted the cluster')
}
