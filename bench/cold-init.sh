#!/bin/bash
# usage: bash bench/cold-init.sh <pairs> <asset dir>...   (asset dirs from `cdk synth`: cdk.out/asset.*)
# each round: per dir one `await import(dir/index.mjs)` and one `node -e 0`, both timed with /usr/bin/time
# prints median (user+sys of import) - (user+sys of its paired node -e 0) per dir, in ms
n=$1; shift
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIA000000000000BNCH AWS_SECRET_ACCESS_KEY=bench HOME_REGION=us-east-1 \
 QUEUE_URL=https://sqs.us-east-1.amazonaws.com/000000000000/eks-auditor-scan-tasks REGIONS=eu-west-1,us-east-1 \
 TABLE_NAME=eks-auditor-findings TOPIC_ARN=arn:aws:sns:us-east-1:000000000000:eks-auditor-alerts \
 POWERTOOLS_SERVICE_NAME=eks-auditor AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true $EXTRA_ENV
t() { { /usr/bin/time -f "%U %S" "$@" >/dev/null; } 2>&1 | tail -1 | awk '{printf "%d", ($1+$2)*1000}'; }
declare -A d
for dir in "$@"; do node --input-type=module -e "await import('$dir/index.mjs')" || exit 1; done
for i in $(seq $n); do
  for dir in "$@"; do
    a=$(t node --input-type=module -e "await import('$dir/index.mjs')"); b=$(t node -e 0)
    d[$dir]="${d[$dir]} $((a-b))"
  done
done
for dir in "$@"; do echo "$dir: ${d[$dir]} -> median $(echo ${d[$dir]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print (NR%2?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2)}') ms"; done
